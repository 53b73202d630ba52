import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../core/main.js';
import { LogCapture } from '../../core/testkit/index.js';
import { startFakeExampleApi, type FakeExampleApi } from '../fakes/example-api.js';
import { dropInExamplePlugin, exampleSourceYaml } from '../support/readme-plugin.js';
import { eventually } from '../support/eventually.js';

const until = (check: () => boolean | Promise<boolean>, ms = 8000) => eventually('the condition', check, ms);
import { localStorageYaml, tempConfig } from '../support/temp-config.js';

const KEY = 'example-key-123';
let fake: FakeExampleApi;
let running: RunningHost | undefined;

beforeEach(async () => {
  fake = await startFakeExampleApi(KEY);
});
afterEach(async () => {
  await running?.stop(1000);
  running = undefined;
  await fake.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function source(id: string, key: string, options = '') {
  return exampleSourceYaml(id, key, fake.url, options, { interval: '1s' });
}

async function host(sources: string, watch = false) {
  const cfg = tempConfig('');
  dropInExamplePlugin(cfg.dir);
  const text = (s: string) => `server:\n  host: 127.0.0.1\n${localStorageYaml(cfg.dir)}sources:\n${s}`;
  cfg.write(text(sources));
  running = await startHost({ configFile: cfg.file, env: {}, logDestination: new LogCapture(), port: 0, watch, backoffBaseMs: 5 });
  return { cfg, rewrite: (s: string) => cfg.write(text(s)) };
}

describe('polling', () => {
  it('runs at start and then on the schedule', async () => {
    await host(source('hallway', KEY));
    await until(() => fake.requests.length >= 3);
    const gaps = fake.requests.slice(1, 3).map((r, i) => r.at - fake.requests[i]!.at);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(950);
  });

  it('stops calling the upstream after refused credentials', async () => {
    await host(source('hallway', 'wrong-key-000'));
    await until(() => running!.host.health().sources.hallway!.status_detail === 'credentials_invalid');
    await sleep(2200);
    expect(fake.requests).toHaveLength(1);
    const h = running!.host.health().sources.hallway!;
    expect(Date.parse(h.next_run!) - Date.now()).toBeGreaterThan(14 * 60_000);
  });

  it('waits for a Retry-After in seconds after a 429', async () => {
    fake.failNext(1, 429, { headers: { 'retry-after': '120' } });
    await host(source('hallway', KEY));
    await until(() => running!.host.health().sources.hallway!.status_detail === 'rate_limited');
    await sleep(1500);
    expect(fake.requests).toHaveLength(1);
    const wait = Date.parse(running!.host.health().sources.hallway!.next_run!) - Date.now();
    expect(wait).toBeGreaterThan(115_000);
    expect(wait).toBeLessThanOrEqual(120_000);
  });

  it('honours a Retry-After given as an HTTP date', async () => {
    const at = new Date(Date.now() + 90_000);
    fake.failNext(1, 429, { headers: { 'retry-after': at.toUTCString() } });
    await host(source('hallway', KEY));
    await until(() => running!.host.health().sources.hallway!.status_detail === 'rate_limited');
    const nextRun = Date.parse(running!.host.health().sources.hallway!.next_run!);
    expect(Math.abs(nextRun - at.getTime())).toBeLessThan(2000);
  });

  it('backs off a minute after a 429 without Retry-After', async () => {
    fake.failNext(1, 429);
    await host(source('hallway', KEY));
    await until(() => running!.host.health().sources.hallway!.status_detail === 'rate_limited');
    const wait = Date.parse(running!.host.health().sources.hallway!.next_run!) - Date.now();
    expect(wait).toBeGreaterThan(55_000);
    expect(wait).toBeLessThanOrEqual(60_000);
  });

  it('aborts a hung run at its timeout and keeps the schedule', async () => {
    fake.hangNext(1);
    await host(source('hallway', KEY, '      timeout: 500ms\n'));
    await until(() => running!.host.health().sources.hallway!.status_detail === 'operational', 5000);
    // The request's own limit ends just before the run's: the message names the request.
    expect(running!.host.health().sources.hallway!.last_error?.message).toBe('Example Sensor did not answer in time for GET /reading');
  });

  it('keeps one source on its schedule while another hangs', async () => {
    fake.hangNext(1);
    await host(source('slow', KEY, '      timeout: 5s\n') + source('quick', KEY));
    await sleep(2600);
    // The slow source's first request hangs; the quick one ran at start and twice since.
    expect(fake.requests.length - 1).toBeGreaterThanOrEqual(3);
    expect(running!.host.health().sources.quick!.status_detail).toBe('operational');
  });
});

describe('standby', () => {
  it('activates a source when its VAR_FILE secret is filled in, on its schedule, with no restart', async () => {
    const cfg = tempConfig('');
    dropInExamplePlugin(cfg.dir);
    const secretFile = path.join(cfg.dir, 'api_key.secret');
    writeFileSync(secretFile, '');
    cfg.write(`server:\n  host: 127.0.0.1\n${localStorageYaml(cfg.dir)}sources:\n${source('hallway', '${EXAMPLE_API_KEY}')}`);
    const logs = new LogCapture();
    running = await startHost({ configFile: cfg.file, env: { EXAMPLE_API_KEY_FILE: secretFile }, logDestination: logs, port: 0, watch: false });
    expect(running.host.health().sources.hallway!.status_detail).toBe('credentials_missing');
    // Waiting for credentials is not a problem: logged at info (30), not warn.
    const standby = logs.records().filter((r) => r.msg === 'no credentials configured: standby');
    expect(standby.map((r) => r.level)).toEqual([30]);
    await sleep(1500);
    expect(fake.requests).toHaveLength(0);
    writeFileSync(secretFile, `${KEY}\n`);
    await until(() => running!.host.health().sources.hallway!.status_detail === 'operational', 5000);
    expect(fake.requests[0]!.key).toBe(KEY);
  });
});

describe('config file watching', () => {
  it('activates a standby source when credentials are added to the file, with no restart', async () => {
    const { rewrite } = await host(source('hallway', "''"), true);
    expect(running!.host.health().sources.hallway!.status_detail).toBe('credentials_missing');
    await sleep(100);
    rewrite(source('hallway', KEY));
    await until(() => running!.host.health().sources.hallway!.status_detail === 'operational');
  });
});
