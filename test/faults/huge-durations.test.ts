import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeExampleApi, type FakeExampleApi } from '../fakes/example-api.js';
import { eventually } from '../support/eventually.js';
import { runCli } from '../support/run-cli.js';
import { tempConfig } from '../support/temp-config.js';
import { buildCli, exampleSource, pluginModule, sleep, startCliHost, type CliHost } from './cli-host.js';

// Issue 18, item 1: one huge duration (an upstream's Retry-After, a config's interval, a drop-in
// plugin's default schedule) made the next run an invalid date, and from then on /health and
// /metrics answered 500 for the whole host.
const KEY = 'example-key-5d81c2';
const DAY = 86_400_000;
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

describe('huge durations', () => {
  it('a 429 with Retry-After: 99999999999999 makes that source wait a day; /health, /metrics and the other sources stay up', async () => {
    fake.failNext(1, 429, { headers: { 'retry-after': '99999999999999' }, body: '{"error":"slow down"}' });
    host = await startCliHost(exampleSource('limited', KEY, fake.url, '2s') + exampleSource('other', KEY, fake.url, '2s'));
    await eventually('the rate limit', async () => (await host!.get('/health')).body.sources?.limited?.status_detail === 'rate_limited');
    const started = Date.now();
    await sleep(2500);
    const health = await host.get('/health');
    expect(health.status).toBe(200);
    const limited = health.body.sources.limited;
    expect(limited).toMatchObject({ status: 'degraded', status_detail: 'rate_limited' });
    const next = Date.parse(limited.next_run);
    expect(next).toBeGreaterThan(started + DAY - 60_000);
    expect(next).toBeLessThanOrEqual(started + DAY + 5_000);
    expect(limited.hint).toMatch(/^Waiting until \d{4}-\d\d-\d\dT/);
    expect(health.body.sources.other.status_detail).toBe('operational');
    const metrics = await fetch(`${host.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('homeiq_source_status{source="limited",status_detail="rate_limited"} 1');
    const status = await fetch(`${host.url}/`);
    expect(status.status).toBe(200);
  }, 60_000);

  it('a drop-in plugin whose default schedule is 100000000d gets a next run /health can show', async () => {
    const plugin = pluginModule('forever', 'async fetch() { return [{ measurement: "m", time: new Date(), fields: { v: 1 } }]; }').replace(
      'apiVersion: 1,',
      'apiVersion: 1, default_schedule: "100000000d",',
    );
    host = await startCliHost('  forever:\n    plugin: ./forever.mjs\n', { 'forever.mjs': plugin });
    await eventually('the first run', async () => (await host!.get('/health')).body.sources?.forever?.status_detail === 'operational');
    const health = await host.get('/health');
    expect(health.status).toBe(200);
    const next = Date.parse(health.body.sources.forever.next_run);
    expect(next).toBeGreaterThan(Date.now() + 3000 * DAY);
    expect(next).toBeLessThanOrEqual(Date.now() + 3660 * DAY);
    expect((await fetch(`${host.url}/metrics`)).status).toBe(200);
  }, 60_000);

  it('refuses absurd durations in the config with exit 2, naming each key', async () => {
    const cfg = tempConfig(
      [
        'storage:',
        '  local_retention: 100000000d',
        'sources:',
        '  carbon:',
        '    plugin: watttime',
        '    interval: 100000000d',
        '',
      ].join('\n'),
    );
    const longer = 'is longer than 3660d, the longest duration accepted';
    let result = await runCli(['check', '--config', cfg.file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${cfg.file}:2: storage.local_retention: ${longer}`);
    expect(result.stderr).toContain(`${cfg.file}:6: sources.carbon.interval: ${longer}`);
    // A source's options are checked once the rest of the file is right.
    cfg.write('sources:\n  carbon:\n    plugin: watttime\n    options:\n      credentials_retry_after: 99999999999999\n');
    result = await runCli(['check', '--config', cfg.file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${cfg.file}:5: sources.carbon.options.credentials_retry_after: ${longer}`);
    // Ten years is still a duration (a local store kept that long).
    cfg.write('storage:\n  local_retention: 3650d\nsources: {}\n');
    expect((await runCli(['check', '--config', cfg.file])).stderr).not.toContain('longest duration');
  }, 60_000);
});
