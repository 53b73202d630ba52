import { describe, expect, it } from 'vitest';
import plugin from '../../../plugins/airnow/index.js';
import { createTestSource } from '../../../core/testkit/index.js';
import { AIRNOW_LIMIT_MESSAGE, startFakeAirNow, type FakeAirNow } from '../../fakes/airnow.js';
import { describeGoldenCases, type GoldenCase } from '../../support/golden-cases.js';
import { describeLifecycle } from '../../support/lifecycle-suite.js';
import { useSourceHarness } from '../../support/source-harness.js';

const KEY = 'airnow-test-key-0123';
const GOLDEN = new URL('./golden/', import.meta.url);

const harness = useSourceHarness({ plugin, startFake: () => startFakeAirNow(KEY), options: { zip_code: '20002' }, credentials: { api_key: KEY } });
const make = (options: Record<string, unknown> = {}, credentials?: Record<string, string>, now?: number) => harness.make(options, { credentials, now });

/** Points as JSON (ISO times), in a stable order. */
function plain(points: unknown[]): unknown[] {
  const key = (p: { measurement: string; time: string; tags: Record<string, string> }) => `${p.measurement}|${p.time}|${p.tags.parameter}`;
  return (JSON.parse(JSON.stringify(points)) as Parameters<typeof key>[0][]).sort((a, b) => key(a).localeCompare(key(b)));
}

describeGoldenCases<GoldenCase, FakeAirNow>('airnow', {
  dir: GOLDEN,
  make: (golden) => make(golden.options, undefined, Date.parse(golden.now)),
  plain,
  error: 'contained',
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

  it('an error envelope whose Message is not text is an upstream error, not a TypeError or "[object Object]"', async () => {
    // The same flaw test/faults/parsers.property.test.ts found in openweathermap's `cod`: `String()` of an object.
    const { fake, src } = await make();
    fake.failNext(1, 200, { body: JSON.stringify({ WebServiceError: [{ Message: { toString: 1 } }] }) });
    const outcome = await src.run();
    expect(outcome.error).toMatchObject({ kind: 'upstream', message: 'AirNow answered an error for observations: unspecified error' });
  });
});

describe('airnow options', () => {
  it('needs a ZIP code or both coordinates', async () => {
    const fake = await harness.startFake();
    const make = (options: Record<string, unknown>) => createTestSource({ plugin, options: { base_url: fake.url, ...options }, credentials: { api_key: KEY } });
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
