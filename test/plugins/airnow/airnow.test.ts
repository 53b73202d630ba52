import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import plugin from '../../../plugins/airnow/index.js';
import { createTestSource, type TestSource } from '../../../core/testkit/index.js';
import { AIRNOW_LIMIT_MESSAGE, startFakeAirNow, type FakeAirNow } from '../../fakes/airnow.js';
import { describeLifecycle } from '../../support/lifecycle-suite.js';

const KEY = 'airnow-test-key-0123';
const GOLDEN = new URL('./golden/', import.meta.url);

interface Answer {
  status: number;
  body?: unknown;
  bodyText?: string;
}
interface GoldenCase {
  description: string;
  now: string;
  options?: Record<string, unknown>;
  upstream: { observations?: Answer; forecast?: Answer };
  expect: {
    status_detail: string;
    error?: string;
    http_status?: number;
    warnings?: string[];
    item_errors?: { item: string; message: string }[];
    points: unknown[];
  };
}

let fake: FakeAirNow | undefined;
let src: TestSource | undefined;
afterEach(async () => {
  await src?.stop();
  await fake?.close();
  src = undefined;
  fake = undefined;
});

async function make(options: Record<string, unknown> = {}, credentials = { api_key: KEY }, now?: number): Promise<{ fake: FakeAirNow; src: TestSource }> {
  fake = await startFakeAirNow(KEY);
  src = await createTestSource({
    plugin,
    options: { zip_code: '20002', base_url: fake.url, retries: 0, ...options },
    credentials,
    ...(now === undefined ? {} : { now: () => now }),
  });
  return { fake, src };
}

/** Points as JSON (ISO times), in a stable order. */
function plain(points: unknown[]): unknown[] {
  const key = (p: { measurement: string; time: string; tags: Record<string, string> }) => `${p.measurement}|${p.time}|${p.tags.parameter}`;
  return (JSON.parse(JSON.stringify(points)) as Parameters<typeof key>[0][]).sort((a, b) => key(a).localeCompare(key(b)));
}

describe('airnow golden cases: recorded answers in, points out', () => {
  const files = readdirSync(GOLDEN).filter((f) => f.endsWith('.json'));
  it.each(files)('%s', async (file) => {
    const golden = JSON.parse(readFileSync(new URL(file, GOLDEN), 'utf8')) as GoldenCase;
    const { fake, src } = await make(golden.options, undefined, Date.parse(golden.now));
    const paths = { observations: '/aq/observation/current/ziplatlong/', forecast: '/aq/forecast/current/' } as const;
    for (const what of ['observations', 'forecast'] as const) {
      const answer = golden.upstream[what];
      if (answer) fake.failNext(1, answer.status, { body: answer.bodyText ?? JSON.stringify(answer.body), path: paths[what] });
    }
    const outcome = await src.run();
    const health = src.health();
    expect(health.status_detail).toBe(golden.expect.status_detail);
    expect(plain(src.points)).toEqual(plain(golden.expect.points));
    if (golden.expect.error) {
      expect(outcome.ok).toBe(false);
      expect(health.last_error?.message).toContain(golden.expect.error);
    } else {
      expect(outcome.error?.message).toBeUndefined();
    }
    if (golden.expect.http_status) expect(health.last_error?.http_status).toBe(golden.expect.http_status);
    if (golden.expect.warnings) expect(health.warnings).toEqual(golden.expect.warnings);
    if (golden.expect.item_errors) expect(health.item_errors).toEqual(golden.expect.item_errors);
  });
});

describe('airnow requests', () => {
  it('asks the 2026 services by ZIP code, in JSON, with the key as API_KEY, two requests a run', async () => {
    const { fake, src } = await make();
    expect((await src.run()).ok).toBe(true);
    expect(fake.requests.map((r) => [r.path, r.query, r.status])).toEqual([
      ['/aq/observation/current/ziplatlong/', { format: 'application/json', zipCode: '20002', API_KEY: KEY }, 200],
      ['/aq/forecast/current/', { format: 'application/json', zipCode: '20002', API_KEY: KEY }, 200],
    ]);
    expect(src.health().details).toMatchObject({ place: 'ZIP code 20002', reporting_area: 'Metropolitan Washington', station: 'McMillan NCore-PAMS' });
  });

  it('asks by latitude and longitude when they are set', async () => {
    const { fake, src } = await make({ zip_code: undefined, latitude: 38.9, longitude: -77.0 });
    expect((await src.run()).ok).toBe(true);
    expect(fake.requests[0]!.query).toEqual({ format: 'application/json', latitude: '38.9', longitude: '-77', API_KEY: KEY });
    expect(src.points.filter((p) => p.measurement === 'air_quality').map((p) => p.tags.parameter).sort()).toEqual(['o3', 'overall', 'pm10', 'pm25']);
  });

  it('stays far under 500 requests an hour on its default schedule', () => {
    const minutes = plugin.default_schedule!.split(' ')[0]!.split(',');
    // Two runs an hour, two requests a run (the test above counts them).
    expect(minutes.length * 2).toBeLessThanOrEqual(10);
  });

  it('reports a place without a station clearly', async () => {
    const { src } = await make({ zip_code: '99999' });
    expect((await src.run()).ok).toBe(false);
    expect(src.health()).toMatchObject({ status: 'degraded', status_detail: 'degraded', points_last_run: 0 });
    expect(src.health().last_error?.message).toBe('no monitoring station reports near ZIP code 99999');
  });
});

describe('airnow errors', () => {
  it('maps "Invalid API key" in a 200 answer to credentials_invalid without leaking the key', async () => {
    const { fake, src } = await make({}, { api_key: 'not-the-right-key-42' });
    fake.errorStatus = 200;
    await src.run();
    expect(src.health()).toMatchObject({ status: 'error', status_detail: 'credentials_invalid' });
    expect(src.health().last_error?.message).toBe('AirNow refused the API key (Invalid API key)');
    expect(src.logs()).not.toContain('not-the-right-key-42');
  });

  it('waits until the next hour once the hourly limit is used up', async () => {
    const { fake, src } = await make();
    fake.hourlyLimit = 2;
    fake.now = () => Date.parse('2026-10-02T00:10:00Z'); // one hour of the fake's counter, whatever the clock says
    expect((await src.run()).ok).toBe(true);
    const before = Date.now();
    await src.run();
    const after = Date.now();
    const h = src.health();
    expect([h.status, h.status_detail]).toEqual(['degraded', 'rate_limited']);
    expect(h.last_error?.message).toContain(AIRNOW_LIMIT_MESSAGE.replace(/\s+/g, ' '));
    // A minute past the next hour, give or take the milliseconds between the plugin's clock and the runner's.
    const nextHour = (t: number) => Math.floor(t / 3_600_000) * 3_600_000 + 3_660_000;
    const until = Date.parse(/Waiting until (\S+) /.exec(h.hint ?? '')?.[1] ?? '');
    expect(until).toBeGreaterThanOrEqual(nextHour(before));
    expect(until).toBeLessThanOrEqual(nextHour(after) + (after - before));
  });

  it('honours Retry-After on a 429', async () => {
    const now = Date.parse('2026-10-02T00:10:00Z');
    const { fake, src } = await make({}, undefined, now);
    fake.failNext(1, 429, { headers: { 'retry-after': '120' }, body: '' });
    await src.run();
    const h = src.health();
    expect([h.status, h.status_detail, h.last_error?.http_status]).toEqual(['degraded', 'rate_limited', 429]);
    expect(h.hint).toContain('Waiting until 2026-10-02T00:12:00.000Z');
  });

  it('prefers Retry-After over the next hour when a limit answer carries one', async () => {
    const now = Date.parse('2026-10-02T00:10:00Z');
    const { fake, src } = await make({}, undefined, now);
    fake.failNext(1, 429, { headers: { 'retry-after': '300' }, body: JSON.stringify({ WebServiceError: [{ Message: AIRNOW_LIMIT_MESSAGE }] }) });
    await src.run();
    expect(src.health().hint).toContain('Waiting until 2026-10-02T00:15:00.000Z');
  });

  it('goes degraded on a 5xx, names the service without the key, and recovers', async () => {
    const { fake, src } = await make();
    fake.failNext(1, 503, { body: '<html><head><title>503 Service Unavailable</title></head></html>' });
    await src.run();
    const h = src.health();
    expect([h.status, h.status_detail, h.last_error?.http_status]).toEqual(['degraded', 'degraded', 503]);
    expect(h.last_error?.message).toBe('AirNow answered 503 Service Unavailable for GET /aq/observation/current/ziplatlong/: 503 Service Unavailable');
    expect(JSON.stringify(h) + src.logs()).not.toContain(KEY);
    expect((await src.run()).ok).toBe(true);
    expect(src.health().status_detail).not.toBe('degraded');
  });

  it('retries a transient 5xx within the run', async () => {
    const { fake, src } = await make({ retries: 2 });
    fake.failNext(2, 502);
    expect((await src.run()).ok).toBe(true);
    expect(fake.requests.filter((r) => r.path.startsWith('/aq/observation')).map((r) => r.status)).toEqual([502, 502, 200]);
  });

  it('says what a body that is not JSON starts with', async () => {
    const { fake, src } = await make();
    fake.failNext(1, 200, { body: 'DateObserved,HourObserved\n2026-10-01,19' });
    await src.run();
    expect(src.health().last_error?.message).toBe('observations: the answer is not JSON (it starts with "DateObserved,HourObserved\\n2026-10-01,19")');
  });
});

describe('airnow options', () => {
  it('needs a ZIP code or both coordinates', async () => {
    fake = await startFakeAirNow(KEY);
    const make = (options: Record<string, unknown>) => createTestSource({ plugin, options: { base_url: fake!.url, ...options }, credentials: { api_key: KEY } });
    await expect(make({})).rejects.toThrow(/options\.latitude: is required/);
    await expect(make({ latitude: 38.9 })).rejects.toThrow(/longitude/);
    await expect(make({ zip_code: '2002' })).rejects.toThrow(/zip_code: does not match the pattern/);
  });

  it('refuses to read nothing', async () => {
    const { src } = await make({ observations: false, forecast: false });
    expect(src.runnable).toBe(false);
    expect(src.health().last_error?.message).toContain('observations and forecast are both false');
  });

  it('reads only the forecast when observations are off', async () => {
    const { fake, src } = await make({ observations: false });
    expect((await src.run()).ok).toBe(true);
    expect(fake.requests.map((r) => r.path)).toEqual(['/aq/forecast/current/']);
    expect(new Set(src.points.map((p) => p.measurement))).toEqual(new Set(['air_quality_forecast']));
  });
});

describe('airnow README', () => {
  it('holds a complete sample config that validates and runs against the fake', async () => {
    const readme = readFileSync(new URL('../../../plugins/airnow/README.md', import.meta.url), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const entry = (parse(yaml) as { sources: Record<string, { plugin: string; options: Record<string, unknown> }> }).sources['airnow']!;
    expect(entry.plugin).toBe('airnow');
    fake = await startFakeAirNow(KEY);
    src = await createTestSource({
      plugin,
      options: { ...entry.options, base_url: fake.url, retries: 0 },
      credentials: { api_key: KEY },
    });
    expect(src.runnable).toBe(true);
  });
});

describeLifecycle('airnow', {
  plugin,
  startFake: () => startFakeAirNow(KEY),
  options: { zip_code: '20002' },
  credentials: { api_key: KEY },
  badCredentials: { api_key: 'wrong-airnow-key-9999' },
  checkPoints: (points) => {
    for (const p of points) expect(p.tags.provider).toBe('airnow');
  },
});
