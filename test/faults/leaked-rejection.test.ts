import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dropInExamplePlugin } from '../support/readme-plugin.js';
import { runCli } from '../support/run-cli.js';
import { localStorageYaml, tempConfig } from '../support/temp-config.js';
import { startFakeExampleApi, type FakeExampleApi } from '../fakes/example-api.js';
import { buildCli, exampleSource, expectOnSchedule, expectPrompt, pluginModule, sleep, startCliHost, type CliHost, type LogLine } from './cli-host.js';

// Process-level faults go through the real CLI: they are about what the process does, and
// Node's default for an unhandled rejection (--unhandled-rejections=throw) ends it.
const KEY = 'example-key-123';
let fake: FakeExampleApi;
let host: CliHost | undefined;

beforeAll(buildCli, 120_000);
beforeEach(async () => {
  fake = await startFakeExampleApi(KEY);
});
afterEach(async () => {
  await host?.stop();
  host = undefined;
  await fake.close();
});

const point = '[{ measurement: "fault_probe", fields: { n: 1 }, time: new Date() }]';
const PLUGINS = {
  // Leaks two rejections a run: one at once, one from a timer inside a promise chain.
  'leaky.mjs': pluginModule(
    'leaky',
    `async fetch() {
      Promise.reject(new Error("leak from fetch"));
      new Promise((r) => setTimeout(r, 20)).then(() => { throw new Error("leak from a timer chain"); });
      return ${point};
    }`,
  ),
  // Throws from its own setTimeout callback: an uncaught exception with only plugin code on the stack.
  'ticker.mjs': pluginModule('ticker', `async fetch() { setTimeout(() => { throw new Error("timer kaput"); }, 10); return ${point}; }`),
  // Throws a string from a timer: nothing tells where it came from.
  'anonymous.mjs': pluginModule('anonymous', `async fetch() { setTimeout(() => { throw "no stack here"; }, 300); return ${point}; }`),
};
const dropIn = (id: string, interval: string) => `  ${id}:\n    plugin: ./${id}.mjs\n    interval: ${interval}\n`;

const faultLines = (lines: LogLine[], text: string) => lines.filter((l) => typeof l.msg === 'string' && l.msg.includes(text));

describe('a plugin that leaks a rejected promise or throws from a timer', () => {
  it('logs each fault once with its source, keeps the host running (uncaught exceptions confined to plugin code included)', async () => {
    host = await startCliHost(exampleSource('hallway', KEY, fake.url) + dropIn('leaky', '1s') + dropIn('ticker', '1s'), PLUGINS);
    const healthTimes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const h = await host.get('/health');
      expect(h.status).toBe(200);
      healthTimes.push(h.ms);
      await sleep(250);
    }
    expectPrompt(healthTimes);
    const { body } = await host.get('/health');
    expect(body.sources.hallway.status_detail).toBe('operational');
    expect(body.sources.leaky.status_detail).toBe('operational');
    expect(body.sources.ticker.status_detail).toBe('operational');
    // The faults also show in /health, as the source's last error, without failing its runs.
    expect(body.sources.leaky.last_error.message).toMatch(/^unhandled rejection in the plugin, outside a run: leak from (fetch|a timer chain)$/);
    expect(body.sources.ticker.last_error.message).toBe('uncaught exception in the plugin, outside a run: timer kaput');
    expect(body.sources.hallway.last_error).toBeNull();
    expect(fake.requests.length).toBeGreaterThanOrEqual(3);
    expectOnSchedule(fake.requests.map((r) => r.at), 1000);

    const logs = host.logs();
    const leaks = faultLines(logs, 'unhandled rejection in a plugin; the host keeps running');
    const byMessage = (m: string) => leaks.filter((l) => l.err?.message === m);
    // Several runs leaked, but each fault is one line (the next one, with its count, a minute later).
    expect(byMessage('leak from fetch')).toHaveLength(1);
    expect(byMessage('leak from a timer chain')).toHaveLength(1);
    for (const line of leaks) expect(line).toMatchObject({ level: 50, plugin: './leaky.mjs', sources: ['leaky'], fault: 'unhandled rejection' });
    const thrown = faultLines(logs, 'uncaught exception in a plugin; the host keeps running');
    expect(thrown).toHaveLength(1);
    expect(thrown[0]).toMatchObject({ plugin: './ticker.mjs', sources: ['ticker'], err: { message: 'timer kaput' } });

    const stopped = await host.stop();
    host = undefined;
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(5000);
  }, 60_000);

  it('stops with exit code 1 and says why on an uncaught exception it cannot confine to a plugin', async () => {
    host = await startCliHost(exampleSource('hallway', KEY, fake.url) + dropIn('anonymous', '1h'), PLUGINS);
    const code = await Promise.race([host.exited, sleep(8000).then(() => 'still running')]);
    expect(code).toBe(1);
    const fatal = faultLines(host.logs(), 'uncaught exception not confined to a plugin');
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatchObject({ level: 60, fault: 'uncaught exception', err: { message: 'no stack here' } });
    expect(fatal[0]!.msg).toContain('the host stops (exit code 1)');
    // It stopped in order: storage flushed, server closed.
    expect(host.output()).toContain('"msg":"stopped"');
  }, 60_000);

  it("prints what a plugin leaked while a start fails without the config's secrets, and ends at once with exit code 1", async () => {
    const SECRET = 'secret-key-987';
    const cfg = tempConfig('');
    dropInExamplePlugin(cfg.dir);
    writeFileSync(
      path.join(cfg.dir, 'keyed.mjs'),
      'export default { id: "keyed", apiVersion: 1, title: "Keyed", credentials: { style: "api_key", send: { in: "query", name: "key" } },\n' +
        '  create() { return { async fetch(ctx) { Promise.reject(new Error("upstream refused key " + ctx.credentials.api_key)); return []; } }; } };\n',
    );
    // The port is taken: the start fails after the first runs began.
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    cfg.write(
      `server:\n  host: 127.0.0.1\n  port: ${port}\n${localStorageYaml(cfg.dir)}sources:\n` +
        `  keyed:\n    plugin: ./keyed.mjs\n    interval: 1h\n    credentials:\n      api_key: ${SECRET}\n` +
        // A run that would hang: the failed start abandons it instead of waiting for its timeout.
        exampleSource('hallway', KEY, fake.url),
    );
    fake.delayMs = 30_000;
    try {
      const t0 = Date.now();
      const r = await runCli(['start', '--config', cfg.file]);
      expect(r.code, r.stderr + r.stdout).toBe(1);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(r.stderr).toContain(`homeiq: listen EADDRINUSE: address already in use 127.0.0.1:${port}`);
      expect(r.stderr).toContain('homeiq: unhandled rejection while starting: upstream refused key [REDACTED]');
      expect(r.stdout + r.stderr).not.toContain(SECRET);
    } finally {
      taken.close();
    }
  }, 60_000);
});
