import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeExampleApi, type FakeExampleApi } from '../fakes/example-api.js';
import { dropInExamplePlugin, exampleSourceYaml } from '../support/readme-plugin.js';
import { startThenStop } from '../support/host-process.js';
import { freePort, runCli } from '../support/run-cli.js';
import { localStorageYaml, tempConfig } from '../support/temp-config.js';

const KEY = 'example-key-123';
let fake: FakeExampleApi;

beforeEach(async () => {
  fake = await startFakeExampleApi(KEY);
});
afterEach(async () => {
  await fake.close();
});

function config(sources: string, head = '') {
  const cfg = tempConfig('');
  dropInExamplePlugin(cfg.dir);
  cfg.write(`${head}${localStorageYaml(cfg.dir)}sources:\n${sources}`);
  return cfg;
}
const source = (id: string, key: string) => exampleSourceYaml(id, key, fake.url, '', { interval: null, sensor: true });

describe('homeiq check', () => {
  it('prints a table with each source and exits 0 when nothing is wrong', async () => {
    const cfg = config(source('hallway', '${EXAMPLE_API_KEY}') + source('garage', '${GARAGE_KEY}'));
    const r = await runCli(['check', '--config', cfg.file], { EXAMPLE_API_KEY: KEY });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/hallway\s+\.\/example-sensor\s+✅ Healthy\s+operational\s+1 points/);
    expect(r.stdout).toMatch(/garage\s+\.\/example-sensor\s+🔑 Credentials Needed\s+credentials_missing\s+Set EXAMPLE_API_KEY; the source starts by itself/);
    expect(existsSync(path.join(cfg.dir, 'points'))).toBe(false);
  });

  it('exits 1 and shows the rejection when the upstream refuses the key', async () => {
    const cfg = config(source('hallway', 'not-the-key'));
    const r = await runCli(['check', '--config', cfg.file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/hallway\s+\.\/example-sensor\s+🔑 Credentials Rejected\s+credentials_invalid\s+Example Sensor refused the credentials/);
    expect(r.stdout + r.stderr).not.toContain('not-the-key');
  });
});

/** A config with a good source and one whose drop-in plugin has a syntax error. */
function brokenPluginConfig() {
  const cfg = config(source('hallway', KEY) + '  broken:\n    plugin: ./broken.mjs\n');
  writeFileSync(path.join(cfg.dir, 'broken.mjs'), 'export default {\n  id: "broken" {\n};\n');
  return cfg;
}

describe('a drop-in plugin that fails to load', () => {
  it('homeiq check does not call the config ok, names the plugin and exits 1', async () => {
    const cfg = brokenPluginConfig();
    const r = await runCli(['check', '--config', cfg.file]);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain(': ok');
    expect(r.stdout.split('\n')[0]).toBe(`config ${cfg.file}: valid, but 1 plugin(s) failed to load (./broken.mjs), 2 source(s)`);
    expect(r.stdout).toMatch(/broken\s+\.\/broken\.mjs\s+❌ Error\s+error\s+plugin .*broken\.mjs failed to load/);
    expect(r.stdout).toMatch(/hallway\s+\.\/example-sensor\s+✅ Healthy/);
  });

  it('homeiq once says why once, and still prints the other source', async () => {
    const cfg = brokenPluginConfig();
    const r = await runCli(['once', '--config', cfg.file]);
    expect(r.code).toBe(1);
    const line = r.stderr.split('\n').find((l) => l.startsWith('# broken:'));
    expect(line).toMatch(/^# broken: not run \(error: plugin \S*broken\.mjs failed to load: .+\)$/);
    expect(line!.split('failed to load').length).toBe(2);
    expect(r.stderr).toContain('# hallway: 1 point(s)');
  });
});

describe('homeiq once', () => {
  it('prints the points as line protocol and writes nothing', async () => {
    const cfg = config(source('hallway', KEY));
    fake.readingTime = new Date('2026-01-01T00:00:00Z');
    const r = await runCli(['once', '--config', cfg.file]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('example_reading,sensor=hallway,source=hallway value=42.5 1767225600000000000');
    expect(r.stderr).toContain('# hallway: 1 point(s)');
    expect(existsSync(path.join(cfg.dir, 'points'))).toBe(false);
  });
});

describe('homeiq plugins', () => {
  it('lists the drop-in plugin the config names, with its options', async () => {
    const cfg = config(source('hallway', KEY));
    const r = await runCli(['plugins', '--config', cfg.file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('example-sensor — Example Sensor (./example-sensor, plugin API 1)');
    expect(r.stdout).toContain('credentials (api_key): api_key (EXAMPLE_API_KEY)');
    expect(r.stdout).toMatch(/sensor: string = "living_room"\s+the sensor tag of every point/);
  });
});

describe('bad config and arguments', () => {
  it('exits 2 naming the file, the line and the key path, and starts nothing', async () => {
    const cfg = config(source('hallway', KEY).replace('    options:\n', '    schedule: "61 * * * *"\n    options:\n'));
    const r = await runCli(['start', '--config', cfg.file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^${cfg.file}:\\d+: sources\\.hallway\\.schedule: .*minute`, 'm'));
    expect(existsSync(path.join(cfg.dir, 'points'))).toBe(false);
    const typo = config(source('hallway', KEY).replace('    options:\n', '    options:\n      sensr: x\n'));
    const t = await runCli(['start', '--config', typo.file]);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(new RegExp(`^${typo.file}:10: sources\\.hallway\\.options\\.sensr: `, 'm'));
    expect(existsSync(path.join(typo.dir, 'points'))).toBe(false);
  });

  it('exits 2 for a missing config file and for an unknown verb', async () => {
    const missing = await runCli(['check', '--config', '/nonexistent/sources.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('/nonexistent/sources.yaml');
    const verb = await runCli(['frobnicate']);
    expect(verb.code).toBe(2);
    expect(verb.stderr).toContain('unknown verb "frobnicate"');
  });

  it('exits 2 for an unknown plugin', async () => {
    const cfg = config('  carbon:\n    plugin: no-such-plugin\n');
    const r = await runCli(['check', '--config', cfg.file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/:6: sources\.carbon\.plugin: unknown plugin "no-such-plugin"/);
  });
});

describe('homeiq start', () => {
  it('serves /health and stops cleanly on SIGTERM with exit code 0', async () => {
    const port = await freePort();
    const cfg = config(source('hallway', KEY), `server:\n  host: 127.0.0.1\n  port: ${port}\n`);
    const { health, code, output } = await startThenStop(cfg.file, port);
    expect(health).toBe(200);
    expect(code).toBe(0);
    expect(output).toContain('"msg":"stopped"');
    // Shutdown flushed storage: the first run's point is in the local store.
    expect(existsSync(path.join(cfg.dir, 'points'))).toBe(true);
  }, 30_000);
});
