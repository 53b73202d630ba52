import { describe, expect, it } from 'vitest';
import { load } from './config-files.js';

describe('a valid config', () => {
  it('gets the defaults of CONTRACT §2 and the extensions', async () => {
    const { config } = await load('sources:\n  carbon:\n    plugin: watttime\n    interval: 5m\n');
    expect(config.server).toEqual({ host: '0.0.0.0', port: 8010, max_connections: 512 });
    expect(config.log).toEqual({ level: 'info' });
    expect(config.storage).toEqual({
      spool_dir: 'data/spool',
      local_dir: 'data/points',
      local_retention_ms: 90 * 86_400_000,
      spool_max_bytes: 1024 ** 3,
      batch_size: 5000,
      flush_interval_ms: 1000,
    });
    expect(config.sources).toEqual({
      carbon: { id: 'carbon', plugin: 'watttime', enabled: true, interval: '5m', credentials: {}, options: {} },
    });
  });

  it('keeps what is written: paths as given, sizes in bytes, v1 InfluxDB, seconds in cron', async () => {
    const text = [
      'server:\n  host: 127.0.0.1\n  port: 9000\n  max_connections: 100',
      'log:\n  level: debug',
      'storage:\n  influxdb:\n    api: v1\n    url: http://localhost:8086\n    database: homeiq\n    retention_policy: autogen',
      '  spool_dir: ./var/spool\n  spool_max_bytes: 500MB\n  batch_size: 100\n  flush_interval: 250ms',
      'sources:\n  a-1:\n    plugin: ./plugins/mine.js\n    enabled: false\n    schedule: "*/30 * * * * *"',
    ].join('\n');
    const { config } = await load(`${text}\n`);
    expect(config.server).toEqual({ host: '127.0.0.1', port: 9000, max_connections: 100 });
    expect(config.log.level).toBe('debug');
    expect(config.storage).toMatchObject({ spool_dir: './var/spool', spool_max_bytes: 500_000_000, batch_size: 100, flush_interval_ms: 250 });
    expect(config.storage.influxdb).toEqual({ api: 'v1', url: 'http://localhost:8086', database: 'homeiq', retention_policy: 'autogen' });
    expect(config.sources['a-1']).toMatchObject({ plugin: './plugins/mine.js', enabled: false, schedule: '*/30 * * * * *' });
  });

  it('lets PORT and LOG_LEVEL override the file', async () => {
    const { config } = await load('server:\n  port: 9000\nlog:\n  level: warn\n', { PORT: '8123', LOG_LEVEL: 'trace' });
    expect(config.server.port).toBe(8123);
    expect(config.log.level).toBe('trace');
  });

  it('takes sections left empty as not given, and a spool size as an integer or GiB', async () => {
    const { config } = await load('server:\nstorage:\n  spool_max_bytes: 2GiB\nsources:\n');
    expect(config.server.port).toBe(8010);
    expect(config.storage.spool_max_bytes).toBe(2 * 1024 ** 3);
    expect(config.sources).toEqual({});
    const bytes = await load('storage:\n  spool_max_bytes: 123456\nsources:\n  a:\n    plugin: x\n    credentials:\n    options:\n');
    expect(bytes.config.storage.spool_max_bytes).toBe(123456);
    expect(bytes.config.sources.a).toMatchObject({ credentials: {}, options: {} });
  });

  it('locates key paths by line, falling back to the nearest ancestor', async () => {
    const { locate, config } = await load('# comment\nsources:\n  carbon:\n    plugin: watttime\n    options:\n      region: X\n      list: [1, 2]\n');
    expect(locate(['sources', 'carbon', 'options', 'region'])).toBe(6);
    expect(locate(['sources', 'carbon', 'options', 'list', 1])).toBe(7);
    expect(locate(['sources', 'carbon', 'options', 'missing'])).toBe(5);
    expect(locate(['server', 'port'])).toBeUndefined();
    expect(config.file).toMatch(/sources\.yaml$/);
  });
});
