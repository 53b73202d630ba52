import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeExampleApi, type FakeExampleApi } from '../fakes/example-api.js';
import { freePort } from '../support/free-port.js';
import { exampleSourceYaml, startPageHost, type PageHost } from '../support/status-page-host.js';
import { eventually } from '../support/storage-fixture.js';

const KEY = 'example-key-123';
const PASSWORD = 'meter-password-42';
const INFLUX_TOKEN = 'influx-secret-token-77';
let fake: FakeExampleApi;
let host: PageHost | undefined;

beforeEach(async () => {
  fake = await startFakeExampleApi(KEY);
});
afterEach(async () => {
  await host?.stop();
  host = undefined;
  await fake.close();
});

/** One sample of the Prometheus text format: `name{label="value",...} number`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the text exposition format: samples, and the `# TYPE` of each metric family. */
function parseMetrics(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { samples, types };
}

/** The value of the one sample with this name whose labels include `labels`. */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} samples`);
  return found[0]?.value;
}

async function scrape(): Promise<{ text: string; samples: Sample[]; types: Map<string, string> }> {
  const res = await fetch(`${host!.running.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  return { text, ...parseMetrics(text) };
}

/** A plain-JavaScript plugin with `login` credentials: a new session token at every run. */
function dropInLoginPlugin(dir: string): void {
  writeFileSync(
    path.join(dir, 'session-sensor.mjs'),
    `let logins = 0;
export default {
  id: 'session-sensor', apiVersion: 1, title: 'Session Sensor', base_url: 'http://127.0.0.1:9',
  credentials: { style: 'login' },
  options: { type: 'object', properties: { key: { type: 'string' } } },
  create({ options }) {
    return {
      // Valid for a minute: less than the 5 min the host renews before expiry, so every run logs in.
      async login() { logins += 1; return { token: 'session-token-' + logins, expiresIn: 60 }; },
      async fetch(ctx) {
        const body = await ctx.http.get('reading', { headers: { 'x-api-key': options.key }, signal: ctx.signal }).json();
        return body.readings.map((r) => ({ measurement: 'session_reading', fields: { value: r.value }, time: new Date(r.time) }));
      },
    };
  },
};
`,
  );
}

const sessionSource = (url: string) =>
  `  meter:\n    plugin: ./session-sensor.mjs\n    interval: 1h\n    credentials:\n      username: meter-reader\n      password: ${PASSWORD}\n    options:\n      key: ${KEY}\n      base_url: ${url}\n      retries: 0\n`;

/** Runs a source `n` more times, in turn. */
async function runTimes(id: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await host!.running.host.runner(id)!.run();
}

describe('GET /metrics', () => {
  it('counts fetches by result with their durations, failures, token refreshes and points written', async () => {
    host = await startPageHost(exampleSourceYaml('hallway', KEY, fake.url) + sessionSource(fake.url), { prepare: dropInLoginPlugin });
    await eventually('every source ran once', () => host!.running.host.ready());
    await runTimes('hallway', 1);
    fake.delayMs = 300; // one slow run, to see it land in its bucket
    await runTimes('hallway', 1);
    fake.delayMs = 0;
    await runTimes('meter', 2);
    fake.failAlways(500);
    await runTimes('hallway', 2);
    await host.running.storage.flush();

    const { text, samples, types } = await scrape();
    expect(types.get('homeiq_source_fetch_duration_seconds')).toBe('histogram');
    expect(types.get('homeiq_source_fetches_total')).toBe('counter');
    expect(value(samples, 'homeiq_source_fetches_total', { source: 'hallway', result: 'success' })).toBe(3);
    expect(value(samples, 'homeiq_source_fetches_total', { source: 'hallway', result: 'failure' })).toBe(2);
    expect(value(samples, 'homeiq_source_fetches_total', { source: 'meter', result: 'success' })).toBe(3);
    expect(value(samples, 'homeiq_source_fetches_total', { source: 'meter', result: 'failure' })).toBeUndefined();
    expect(value(samples, 'homeiq_source_fetch_duration_seconds_count', { source: 'hallway' })).toBe(5);
    expect(value(samples, 'homeiq_source_fetch_duration_seconds_bucket', { source: 'hallway', le: '+Inf' })).toBe(5);
    expect(value(samples, 'homeiq_source_fetch_duration_seconds_bucket', { source: 'hallway', le: '60' })).toBe(5);
    // The slow run (300 ms upstream delay) is above the 0.25 s bucket; the others may be too on a busy machine.
    expect(value(samples, 'homeiq_source_fetch_duration_seconds_bucket', { source: 'hallway', le: '0.25' })).toBeLessThanOrEqual(4);
    expect(value(samples, 'homeiq_source_fetch_duration_seconds_sum', { source: 'hallway' })).toBeGreaterThanOrEqual(0.3);

    expect(value(samples, 'homeiq_source_consecutive_failures', { source: 'hallway' })).toBe(2);
    expect(value(samples, 'homeiq_source_consecutive_failures', { source: 'meter' })).toBe(0);
    expect(value(samples, 'homeiq_source_status', { source: 'hallway' })).toBe(1);
    expect(samples.find((s) => s.name === 'homeiq_source_status' && s.labels.source === 'hallway')!.labels.status_detail).toBe('degraded');
    expect(value(samples, 'homeiq_source_token_refreshes', { source: 'meter' })).toBe(3);
    expect(value(samples, 'homeiq_source_token_refreshes', { source: 'hallway' })).toBe(0);
    // 3 + 3 successful runs of one point each, all acknowledged by the local store.
    expect(value(samples, 'homeiq_storage_points_written')).toBe(6);
    expect(value(samples, 'homeiq_storage_spooled_points')).toBe(0);
    expect(value(samples, 'homeiq_storage_dropped_points')).toBe(0);

    // Node's default metrics, under the host's prefix.
    for (const name of ['homeiq_process_cpu_user_seconds_total', 'homeiq_process_resident_memory_bytes', 'homeiq_nodejs_heap_size_used_bytes']) {
      expect(value(samples, name), name).toBeGreaterThan(0);
    }
    expect(types.get('homeiq_nodejs_eventloop_lag_seconds')).toBe('gauge');
    for (const secret of [KEY, PASSWORD, 'session-token-']) expect(text).not.toContain(secret);
  });

  it('shows the points waiting in the spool while InfluxDB cannot be reached', async () => {
    const closedPort = await freePort();
    host = await startPageHost(exampleSourceYaml('hallway', KEY, fake.url), { storage: (dir) => unreachableInflux(dir, closedPort, '1GiB') });
    await eventually('the first run', () => host!.running.host.ready());
    await runTimes('hallway', 2);
    await host.running.storage.flush();
    const { text, samples } = await scrape();
    expect(value(samples, 'homeiq_storage_spooled_points')).toBe(3);
    expect(value(samples, 'homeiq_storage_dropped_points')).toBe(0);
    expect(value(samples, 'homeiq_storage_points_written')).toBe(0);
    expect(value(samples, 'homeiq_source_fetches_total', { source: 'hallway', result: 'success' })).toBe(3);
    expect(host.running.host.health().storage).toMatchObject({ status: 'degraded', spooled_points: 3 });
    expect(text).not.toContain(INFLUX_TOKEN);
  });

  it('counts the points dropped when the spool is full', async () => {
    const closedPort = await freePort();
    host = await startPageHost(exampleSourceYaml('hallway', KEY, fake.url), { storage: (dir) => unreachableInflux(dir, closedPort, '1') });
    await eventually('the first run', () => host!.running.host.ready());
    await runTimes('hallway', 1);
    await host.running.storage.flush();
    const { samples } = await scrape();
    expect(value(samples, 'homeiq_storage_dropped_points')).toBe(2);
    // Dropped because the spool was full, not because the store refused them.
    expect(value(samples, 'homeiq_storage_rejected_points')).toBe(0);
    expect(value(samples, 'homeiq_storage_spooled_points')).toBe(0);
    expect(host.running.host.health().storage.dropped_points).toBe(2);
  });
});

/** InfluxDB on a port where nothing listens, with a spool of `maxBytes` and quick flushes. */
function unreachableInflux(dir: string, port: number, maxBytes: string): string {
  return [
    'storage:',
    '  influxdb:',
    `    url: http://127.0.0.1:${port}`,
    '    api: v2',
    `    token: ${INFLUX_TOKEN}`,
    '    org: homeiq',
    '    bucket: homeiq',
    '    timeout: 2s',
    `  spool_dir: ${path.join(dir, 'spool')}`,
    `  spool_max_bytes: ${maxBytes}`,
    '  flush_interval: 100ms',
    '',
  ].join('\n');
}
