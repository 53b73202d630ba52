import { rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigFileError, loadConfig } from '../../core/config/load.js';
import { ConfigError } from '../../core/plugin-api/errors.js';
import { refuse, tempDir } from './config-files.js';

describe('config problems', () => {
  it('reports a YAML syntax error with its line', async () => {
    const { file, lines } = await refuse('server:\n  port: 8010\nsources:\n  carbon: [plugin: x\n  other: 1\n');
    expect(lines[0]).toMatch(new RegExp(`^${escape(file)}:\\d+: invalid YAML: `));
    expect(lines.map((l) => Number(l.slice(file.length + 1).split(':')[0]))).toContain(5);
  });

  it('tells a bracket left open at the end of the file at its last line, not one past it', async () => {
    const { file, lines } = await refuse('server:\n  port: 8010\nsources:\n  a:\n    plugin: open-meteo\n    options: [\n\n');
    expect(lines.map((l) => l.slice(0, file.length + 3))).toEqual([`${file}:6:`]);
  });

  it('names an unknown key with its path and line, and suggests the near one', async () => {
    const { file, lines } = await refuse('sources:\n  carbon:\n    plugin: watttime\n    optoins:\n      region: X\n');
    expect(lines).toEqual([`${file}:4: sources.carbon.optoins: unknown key (did you mean options?)`]);
  });

  it('reports wrong types and ranges', async () => {
    const { file, lines } = await refuse('server:\n  port: eighty\nstorage:\n  batch_size: 0\nsources:\n  a:\n    plugin: x\n    enabled: maybe\n');
    expect(lines).toEqual([
      `${file}:2: server.port: is not an integer`,
      `${file}:4: storage.batch_size: must be at least 1`,
      `${file}:8: sources.a.enabled: is not true or false`,
    ]);
    const range = await refuse('server:\n  port: 70000\n');
    expect(range.lines).toEqual([`${range.file}:2: server.port: must be between 1 and 65535`]);
  });

  it('names the wrong field of a cron expression', async () => {
    const { file, lines } = await refuse('sources:\n  a:\n    plugin: x\n    schedule: "0 61 * * * *"\n  b:\n    plugin: x\n    schedule: "every day"\n');
    expect(lines).toEqual([
      `${file}:4: sources.a.schedule: is not a valid cron expression: the minute field "61" is not valid`,
      `${file}:7: sources.b.schedule: is not a valid cron expression: expected 5 or 6 fields but got 2`,
    ]);
  });

  it('refuses schedule and interval together, and a malformed interval', async () => {
    const { file, lines } = await refuse('sources:\n  a:\n    plugin: x\n    schedule: "*/5 * * * *"\n    interval: 5m\n  b:\n    plugin: x\n    interval: soon\n');
    expect(lines).toEqual([
      `${file}:5: sources.a.interval: cannot be given together with schedule (give one of them)`,
      `${file}:8: sources.b.interval: is not a duration like 30s, 5m or 1h`,
    ]);
  });

  it('reports a duplicate source id at the second occurrence', async () => {
    const { file, lines } = await refuse('sources:\n  carbon:\n    plugin: x\n  air:\n    plugin: y\n  carbon:\n    plugin: z\n');
    expect(lines).toEqual([`${file}:6: sources.carbon: duplicate source id (first given at line 2)`]);
  });

  it('reports other duplicate keys as duplicate keys', async () => {
    const { file, lines } = await refuse('server:\n  port: 1\n  port: 2\n');
    expect(lines).toEqual([`${file}:3: server.port: duplicate key (first given at line 2)`]);
  });

  it('refuses a malformed source id', async () => {
    const { file, lines } = await refuse('sources:\n  Carbon.Main:\n    plugin: x\n  _x:\n    plugin: y\n');
    expect(lines).toEqual([
      `${file}:2: sources.Carbon.Main: invalid source id (expected lowercase letters, digits, _ and -, starting with a letter or digit)`,
      `${file}:4: sources._x: invalid source id (expected lowercase letters, digits, _ and -, starting with a letter or digit)`,
    ]);
  });

  it('says a missing file is not found, with its path', async () => {
    const file = path.join(tempDir(), 'nope.yaml');
    const err = (await loadConfig(file, {}).catch((e: unknown) => e)) as ConfigFileError;
    expect(err).toBeInstanceOf(ConfigFileError);
    expect(err.message).toBe(`${file}: config file not found: ${file}`);
    expect((err.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('takes a relative path from the working directory and names the absolute file', async () => {
    const dir = tempDir();
    rmSync(dir, { recursive: true });
    const rel = path.relative(process.cwd(), path.join(dir, 'x.yaml'));
    const err = (await loadConfig(rel, {}).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain(`${path.resolve(rel)}: config file not found`);
  });

  it('refuses an empty file and a file that is not a map', async () => {
    const empty = await refuse('# nothing yet\n');
    expect(empty.lines).toEqual([`${empty.file}: the config file is empty (expected a map with server, storage and sources)`]);
    const list = await refuse('- a\n- b\n');
    expect(list.lines).toEqual([`${list.file}:1: expected a map with server, storage and sources at the top level`]);
  });

  it('requires token, org and bucket for InfluxDB v2, and database for v1', async () => {
    const v2 = await refuse('storage:\n  influxdb:\n    url: http://localhost:8086\n    org: homeiq\n    bucket: homeiq\n');
    expect(v2.lines).toEqual([`${v2.file}:2: storage.influxdb.token: is required for api v2`]);
    const v1 = await refuse('storage:\n  influxdb:\n    api: v1\n    url: http://localhost:8086\n');
    expect(v1.lines).toEqual([`${v1.file}:2: storage.influxdb.database: is required for api v1`]);
    const api = await refuse('storage:\n  influxdb:\n    api: v3\n    url: http://x\n    database: d\n');
    expect(api.lines).toEqual([`${api.file}:3: storage.influxdb.api: must be one of: v1, v2`]);
  });

  it('refuses a non-numeric PORT and an unknown LOG_LEVEL, naming the variables', async () => {
    const { file, lines } = await refuse('server:\n  port: 8010\n', { PORT: 'http', LOG_LEVEL: 'loud' });
    expect(lines).toEqual([
      `${file}: server.port: environment variable PORT is not a port number (expected an integer between 1 and 65535)`,
      `${file}: log.level: environment variable LOG_LEVEL must be one of: fatal, error, warn, info, debug, trace, silent`,
    ]);
  });

  it('collects every problem of the file, ordered by line, as a typed config error', async () => {
    const { error } = await refuse('sources:\n  a:\n    plugin: x\n    intervall: 5m\nserver:\n  port: -1\n  hosts: x\n');
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.kind).toBe('config');
    expect(error.problems.map((p) => [p.line, p.path])).toEqual([
      [4, 'sources.a.intervall'],
      [6, 'server.port'],
      [7, 'server.hosts'],
    ]);
  });

  it('says a credential has the wrong type without showing its value', async () => {
    const { file, lines } = await refuse('sources:\n  a:\n    plugin: x\n    credentials:\n      password: [hunter2, s3cr3t]\n');
    expect(lines).toEqual([`${file}:5: sources.a.credentials.password: is not a string`]);
    expect(lines.join('\n')).not.toMatch(/hunter2|s3cr3t/);
  });

  it('refuses a bad size, a missing plugin and a list where a map belongs', async () => {
    const { file, lines } = await refuse('storage:\n  spool_max_bytes: lots\nsources:\n  a:\n    enabled: true\n  b:\n    plugin: x\n    options: [1]\n');
    expect(lines).toEqual([
      `${file}:2: storage.spool_max_bytes: is not a size like 1GiB or 500MB`,
      `${file}:4: sources.a.plugin: is required`,
      `${file}:8: sources.b.options: is not a map`,
    ]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
