import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { load, refuse, tempDir } from './config-files.js';

const INFLUX = (url: string, token: string) =>
  `storage:\n  influxdb:\n    url: ${url}\n    token: ${token}\n    org: homeiq\n    bucket: homeiq\n`;

describe('${VAR} substitution', () => {
  it('replaces ${VAR} anywhere in a string, and coerces it to the type the key needs', async () => {
    const { config } = await load(`server:\n  host: \${HOST}\n  port: \${SERVER_PORT}\n${INFLUX('http://${INFLUX_HOST}:8086/', '${TOKEN}')}`, {
      HOST: '127.0.0.1',
      SERVER_PORT: '9100',
      INFLUX_HOST: 'influx.lan',
      TOKEN: 'tok-1',
    });
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 9100 });
    expect(config.storage.influxdb).toMatchObject({ url: 'http://influx.lan:8086/', token: 'tok-1' });
  });

  it('uses the default of ${VAR:-default} when VAR is unset or empty', async () => {
    const text = `server:\n  host: \${HOST:-127.0.0.2}\nsources:\n  a:\n    plugin: \${PLUGIN:-watttime}\n`;
    expect((await load(text, {})).config.server.host).toBe('127.0.0.2');
    expect((await load(text, { HOST: '' })).config.server.host).toBe('127.0.0.2');
    const set = await load(text, { HOST: '10.0.0.1', PLUGIN: 'airnow' });
    expect(set.config.server.host).toBe('10.0.0.1');
    expect(set.config.sources.a!.plugin).toBe('airnow');
  });

  it('reads VAR from VAR_FILE when VAR is unset, trimming one trailing newline', async () => {
    const dir = tempDir();
    const secret = path.join(dir, 'token');
    writeFileSync(secret, 'from-file\n\n');
    const text = INFLUX('http://localhost:8086', '${INFLUXDB_TOKEN}');
    const fromFile = await load(text, { INFLUXDB_TOKEN_FILE: secret });
    expect(fromFile.config.storage.influxdb!.token).toBe('from-file\n');
    const fromEnv = await load(text, { INFLUXDB_TOKEN: 'from-env', INFLUXDB_TOKEN_FILE: secret });
    expect(fromEnv.config.storage.influxdb!.token).toBe('from-env');
  });

  it('reports a VAR_FILE that cannot be read, naming the file', async () => {
    const missing = path.join(tempDir(), 'no-such-secret');
    const { file, lines } = await refuse(INFLUX('http://localhost:8086', '${INFLUXDB_TOKEN}'), { INFLUXDB_TOKEN_FILE: missing });
    expect(lines).toEqual([`${file}:4: storage.influxdb.token: cannot read INFLUXDB_TOKEN_FILE ${missing} (ENOENT)`]);
  });

  it('reads $${ as a literal ${', async () => {
    const { config } = await load('sources:\n  a:\n    plugin: x\n    options:\n      template: "$${name} costs $$5 and $X"\n', { name: 'no' });
    expect(config.sources.a!.options.template).toBe('${name} costs $$5 and $X');
  });

  it('leaves a credential with an unset variable empty, which is not a problem (standby)', async () => {
    const { config } = await load('sources:\n  carbon:\n    plugin: watttime\n    credentials:\n      username: ${WATTTIME_USERNAME}\n      password: ${WATTTIME_PASSWORD}\n', {
      WATTTIME_USERNAME: 'me',
    });
    expect(config.sources.carbon!.credentials).toEqual({ username: 'me', password: '' });
  });

  it('names the unset variable that leaves a required value empty', async () => {
    const { file, lines } = await refuse(INFLUX('${INFLUXDB_URL}', '${INFLUXDB_TOKEN}'), { INFLUXDB_TOKEN: '' });
    expect(lines).toEqual([
      `${file}:3: storage.influxdb.url: is empty: environment variable INFLUXDB_URL is not set`,
      `${file}:4: storage.influxdb.token: is empty: environment variable INFLUXDB_TOKEN is empty`,
    ]);
  });

  it('reports an unterminated ${ and never shows a value in a message', async () => {
    const { file, lines } = await refuse('sources:\n  a:\n    plugin: x\n    credentials:\n      api_key: "k3y-${UNCLOSED"\n    enabled: ${FLAG}\n', { FLAG: 'sometimes-secret' });
    expect(lines).toEqual([
      `${file}:5: sources.a.credentials.api_key: unterminated \${ (write $\${ for a literal \${)`,
      `${file}:6: sources.a.enabled: is not true or false`,
    ]);
    expect(lines.join('\n')).not.toMatch(/k3y|sometimes-secret/);
  });
});
