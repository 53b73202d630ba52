import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../core/main.js';
import { LogCapture } from '../../core/testkit/index.js';
import { startFakeExampleApi, type FakeExampleApi } from '../fakes/example-api.js';
import { dropInExamplePlugin, exampleSourceYaml } from '../support/readme-plugin.js';
import { eventually } from '../support/eventually.js';

const until = (check: () => boolean | Promise<boolean>, ms = 8000) => eventually('the condition', check, ms);
import { localStorageYaml, tempConfig } from '../support/temp-config.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (r: Response): Promise<any> => r.json();

let fake: FakeExampleApi;
let running: RunningHost | undefined;
let logs: LogCapture;
const KEY = 'example-key-123';

beforeEach(async () => {
  fake = await startFakeExampleApi(KEY);
  logs = new LogCapture();
});
afterEach(async () => {
  await running?.stop(1000);
  running = undefined;
  await fake.close();
});

/** A host with the README's example plugin dropped into the config's folder. */
function setup(sources: string, env: Record<string, string> = {}) {
  const cfg = tempConfig('');
  dropInExamplePlugin(cfg.dir);
  cfg.write(`server:\n  host: 127.0.0.1\n${localStorageYaml(cfg.dir)}sources:\n${sources}`);
  const start = () => startHost({ configFile: cfg.file, env: { ...env }, logDestination: logs, port: 0, backoffBaseMs: 5 }).then((r) => (running = r));
  return { cfg, start };
}

const exampleSource = (id: string, key: string, extra = '') => exampleSourceYaml(id, key, fake.url, extra);

/** GET with `accept-encoding: gzip`: the raw answer. */
function getGzip(url: string): Promise<{ headers: import('node:http').IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

describe('GET /health', () => {
  it('follows every change of a source (built once per change, not per request) and is gzip-compressed when the client accepts it', async () => {
    const { start } = setup(exampleSource('hallway', KEY).replace('interval: 1h', 'interval: 1s'));
    await start();
    await until(async () => (await fetch(`${running!.url}/ready`)).status === 200);
    const first = await json(await fetch(`${running!.url}/health`));
    expect(first.sources.hallway.status_detail).toBe('operational');
    // The upstream fails: the next run's failure shows at once, with its error and the next run.
    fake.failAlways(503);
    await until(async () => (await json(await fetch(`${running!.url}/health`))).sources.hallway.status === 'degraded', 3000);
    const failed = await json(await fetch(`${running!.url}/health`));
    expect(failed.status).toBe('degraded');
    expect(failed.sources.hallway.last_error.message).toMatch(/503/);
    expect(Date.parse(failed.sources.hallway.next_run)).toBeGreaterThan(Date.parse(first.sources.hallway.next_run));
    expect(failed.uptime_seconds).toBeGreaterThan(first.uptime_seconds);
    // It recovers: the health says so on the next request after the run.
    fake.failAlways(undefined);
    await until(async () => (await json(await fetch(`${running!.url}/health`))).sources.hallway.status_detail === 'operational', 3000);
    const recovered = await json(await fetch(`${running!.url}/health`));
    expect(Date.parse(recovered.sources.hallway.last_successful_fetch)).toBeGreaterThan(Date.parse(first.sources.hallway.last_successful_fetch));
    // Equal to the report the host builds field by field (but for the uptime, read a moment later).
    const report = running!.host.health();
    expect({ ...recovered, uptime_seconds: 0 }).toEqual(JSON.parse(JSON.stringify({ ...report, uptime_seconds: 0 })));

    const zipped = await getGzip(`${running!.url}/health`);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toMatch(/accept-encoding/i);
    expect(zipped.headers['content-type']).toBe('application/json; charset=utf-8');
    const unzipped = JSON.parse(gunzipSync(zipped.body).toString('utf8'));
    expect(Object.keys(unzipped.sources)).toEqual(['hallway']);
    expect(unzipped.sources.hallway.plugin).toBe('./example-sensor');
    // Without accept-encoding: plain JSON (fetch sends gzip by default; node:http does not).
    const plain = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => http.get(`${running!.url}/health`, resolve).on('error', reject));
    plain.resume();
    expect(plain.headers['content-encoding']).toBeUndefined();
    // A source's own object is the same as in the full report.
    const one = await json(await fetch(`${running!.url}/health/sources/hallway`));
    expect(one.plugin).toBe('./example-sensor');
    expect(one.status_detail).toBe(unzipped.sources.hallway.status_detail);
    // The storage block follows the writes (points_written grows with every run's points).
    expect(recovered.storage.points_written).toBeGreaterThan(first.storage.points_written);
    // HEAD answers the headers alone; other methods are refused by the router.
    const head = await fetch(`${running!.url}/health`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await head.text()).toBe('');
    expect((await fetch(`${running!.url}/health`, { method: 'POST' })).status).toBe(405);
  });

  it('answers the JSON of CONTRACT §3 for an operational, a standby and a paused source', async () => {
    const { start } = setup(
      exampleSource('hallway', '${EXAMPLE_API_KEY}') + exampleSource('garage', '${GARAGE_KEY}') + exampleSource('attic', KEY, '    enabled: false\n'),
      { EXAMPLE_API_KEY: KEY },
    );
    await start();
    await until(async () => (await fetch(`${running!.url}/ready`)).status === 200);
    const res = await fetch(`${running!.url}/health`);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(Object.keys(body)).toEqual(['status', 'version', 'uptime_seconds', 'storage', 'sources']);
    expect(body.status).toBe('healthy');
    expect(body.version).toBe('0.1.0');
    expect(body.storage).toMatchObject({ type: 'local', status: 'healthy', spooled_points: 0, dropped_points: 0, last_error: null });
    const contractKeys = [
      'plugin', 'status', 'status_detail', 'credentials_configured', 'last_successful_fetch', 'last_token_refresh',
      'token_refresh_count', 'token_expires_at', 'consecutive_failures', 'last_error', 'last_written', 'next_run',
    ];
    for (const s of Object.values(body.sources) as Record<string, unknown>[]) expect(Object.keys(s).slice(0, contractKeys.length)).toEqual(contractKeys);
    expect(body.sources.hallway).toMatchObject({ plugin: './example-sensor', status: 'healthy', status_detail: 'operational', credentials_configured: true, consecutive_failures: 0, last_error: null });
    expect(Date.parse(body.sources.hallway.next_run) - Date.now()).toBeGreaterThan(3500_000);
    expect(body.sources.garage).toMatchObject({ status: 'healthy', status_detail: 'credentials_missing', credentials_configured: false, last_successful_fetch: null });
    // A standby source calls nothing; its next_run is when the host looks for credentials again.
    expect(Date.parse(body.sources.garage.next_run) - Date.now()).toBeGreaterThan(3500_000);
    expect(body.sources.attic).toMatchObject({ status: 'unknown', status_detail: 'disabled' });
    expect(fake.requests.filter((r) => r.key !== KEY)).toHaveLength(0);
    await until(() => running!.storage.lastWritten('hallway') !== null);
    const one = await json(await fetch(`${running!.url}/health/sources/hallway`));
    expect(one.last_written).not.toBeNull();
  });

  it('answers 404 JSON for an unknown source and an unknown route', async () => {
    const { start } = setup(exampleSource('hallway', KEY));
    await start();
    const res = await fetch(`${running!.url}/health/sources/nope`);
    expect(res.status).toBe(404);
    expect((await json(res)).error).toBe('no source with id "nope"');
    const route = await fetch(`${running!.url}/nothing-here`);
    expect(route.status).toBe(404);
    expect(await json(route)).toEqual({ error: 'no route for GET /nothing-here' });
  });

  it('reports the worst source in the aggregate status', async () => {
    fake.failAlways(500);
    const { start } = setup(exampleSource('hallway', KEY));
    await start();
    await until(() => running!.host.ready());
    const body = await json(await fetch(`${running!.url}/health`));
    expect(body.status).toBe('degraded');
    expect(body.sources.hallway.last_error.http_status).toBe(500);
  });
});

describe('GET /ready', () => {
  it('answers 503 until every enabled source has run once, then 200', async () => {
    fake.delayMs = 700;
    const { start } = setup(exampleSource('hallway', KEY) + exampleSource('garage', "''"));
    await start();
    const before = await fetch(`${running!.url}/ready`);
    expect(before.status).toBe(503);
    expect(await json(before)).toEqual({ ready: false, waiting_for: ['hallway'] });
    await until(async () => (await fetch(`${running!.url}/ready`)).status === 200);
    expect(await json(await fetch(`${running!.url}/ready`))).toEqual({ ready: true });
  });
});

describe('plugins that cannot load', () => {
  it('isolate their own sources in error and the others run', async () => {
    const { cfg, start } = setup(
      exampleSource('hallway', KEY) +
        '  broken:\n    plugin: ./broken.js\n' +
        '  future:\n    plugin: ./future.js\n',
    );
    writeFileSync(path.join(cfg.dir, 'broken.js'), 'throw new Error("kaput at import");\n');
    writeFileSync(path.join(cfg.dir, 'future.js'), 'export default { id: "future", apiVersion: 2, title: "Future", create() { return { async fetch() { return []; } }; } };\n');
    await start();
    await until(() => running!.host.ready());
    const body = await json(await fetch(`${running!.url}/health`));
    expect(body.sources.hallway.status_detail).toBe('operational');
    expect(body.sources.broken).toMatchObject({ status: 'error', status_detail: 'error' });
    expect(body.sources.broken.last_error.message).toBe('plugin ./broken.js failed to load: kaput at import');
    expect(body.sources.future.last_error.message).toBe('plugin ./future.js is not a valid plugin: it needs plugin API version 2; this host supports 1');
    expect(body.status).toBe('error');
  });
});

describe('config reload', () => {
  it('activates a standby source when its credentials are added, leaving the others untouched', async () => {
    const { cfg, start } = setup(exampleSource('hallway', KEY) + exampleSource('garage', "''"));
    await start();
    await until(() => running!.host.ready());
    const hallway = running!.host.runner('hallway');
    expect(running!.host.health().sources.garage!.status_detail).toBe('credentials_missing');
    cfg.write(`server:\n  host: 127.0.0.1\n${localStorageYaml(cfg.dir)}sources:\n${exampleSource('hallway', KEY)}${exampleSource('garage', KEY)}`);
    await running!.reloader.reload('test');
    await until(() => running!.host.health().sources.garage!.status_detail === 'operational');
    expect(running!.host.runner('hallway')).toBe(hallway);
    expect(fake.requests.length).toBe(2);
  });

  it('refuses a config that became invalid and keeps the running one', async () => {
    const { cfg, start } = setup(exampleSource('hallway', KEY));
    await start();
    await until(() => running!.host.ready());
    cfg.write('sources:\n  hallway:\n    plugin: [unclosed\n');
    await running!.reloader.reload('test');
    expect(running!.host.health().sources.hallway!.status_detail).toBe('operational');
    expect(logs.text()).toContain('config reload refused; the running config stays');
  });

  it('stops a removed source', async () => {
    const { cfg, start } = setup(exampleSource('hallway', KEY) + exampleSource('garage', KEY));
    await start();
    await until(() => running!.host.ready());
    cfg.write(`server:\n  host: 127.0.0.1\n${localStorageYaml(cfg.dir)}sources:\n${exampleSource('hallway', KEY)}`);
    await running!.reloader.reload('test');
    expect(running!.host.sourceIds).toEqual(['hallway']);
  });
});

describe('logging', () => {
  it('never writes a resolved credential value, and logs a state change once', async () => {
    const secret = 'sup3r-s3cret-value';
    fake.key = secret;
    const { start } = setup(exampleSource('hallway', '${EXAMPLE_API_KEY}'), { EXAMPLE_API_KEY: secret });
    await start();
    await until(() => running!.host.ready());
    for (let i = 0; i < 3; i++) await running!.host.runner('hallway')!.run();
    const text = logs.text();
    expect(text).toContain('"status_detail":"operational"');
    expect(text).not.toContain(secret);
    expect(text.match(/source state changed/g)?.length).toBe(1); // operational, once for three runs
  });
});
