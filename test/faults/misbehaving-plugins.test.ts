import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../core/main.js';
import { LogCapture } from '../../core/testkit/index.js';
import { startFakeExampleApi, type FakeExampleApi } from '../fakes/example-api.js';
import { dropInExamplePlugin, exampleSourceYaml } from '../support/readme-plugin.js';
import { localStorageYaml, tempConfig } from '../support/temp-config.js';

// Plugins that misbehave in the ways real ones do, dropped in beside a well-behaved source. (A
// plugin that leaks a rejected promise is tested through the real CLI: leaked-rejection.test.ts.)
const PLUGINS: Record<string, string> = {
  'throws.mjs': 'fetch() { throw new Error("sync kaput"); }',
  'hangs.mjs': 'fetch() { return new Promise(() => {}); }',
  'garbage.mjs': 'async fetch() { return [{ nonsense: true }, 42, "text"]; }',
};
const plugin = (file: string, body: string) =>
  `export default { id: "${file.replace('.mjs', '')}", apiVersion: 1, title: "${file}", create() { return { ${body} }; } };\n`;

const KEY = 'example-key-123';
let fake: FakeExampleApi;
let running: RunningHost | undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeEach(async () => {
  fake = await startFakeExampleApi(KEY);
});
afterEach(async () => {
  await running?.stop(500);
  running = undefined;
  await fake.close();
});

describe('misbehaving plugins', () => {
  it('are isolated: /health answers, the healthy source keeps its schedule, each failure has a clear message', async () => {
    const cfg = tempConfig('');
    dropInExamplePlugin(cfg.dir);
    for (const [file, body] of Object.entries(PLUGINS)) writeFileSync(path.join(cfg.dir, file), plugin(file, body));
    const bad = Object.keys(PLUGINS)
      .map((file) => `  ${file.replace('.mjs', '')}:\n    plugin: ./${file}\n    interval: 1s\n    options:\n      timeout: 300ms\n`)
      .join('');
    const good = exampleSourceYaml('hallway', KEY, fake.url, '', { interval: '1s' });
    cfg.write(`server:\n  host: 127.0.0.1\n${localStorageYaml(cfg.dir)}sources:\n${good}${bad}`);
    running = await startHost({ configFile: cfg.file, env: {}, logDestination: new LogCapture(), port: 0, watch: false, backoffBaseMs: 5 });
    await sleep(3300);
    const res = await fetch(`${running.url}/health`);
    expect(res.status).toBe(200);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const body = (await res.json()) as any;
    expect(body.sources.hallway.status_detail).toBe('operational');
    const gaps = fake.requests.slice(1).map((r, i) => r.at - fake.requests[i]!.at);
    expect(fake.requests.length).toBeGreaterThanOrEqual(3);
    for (const gap of gaps) expect(gap).toBeLessThan(1600);
    const messages = Object.fromEntries(Object.keys(PLUGINS).map((f) => [f.replace('.mjs', ''), body.sources[f.replace('.mjs', '')]]));
    expect(messages.throws).toMatchObject({ status: 'error', last_error: { message: expect.stringContaining('sync kaput') } });
    expect(messages.hangs).toMatchObject({ status: 'error', last_error: { message: "the run did not finish within 0.3s (the source's timeout option)" } });
    expect(messages.garbage.status).toMatch(/degraded|error/);
    expect(messages.garbage.last_error.message).toMatch(/point|measurement|field/i);
    expect(body.status).toBe('error');
  });
});
