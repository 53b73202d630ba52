import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import plugin from '../../../plugins/openweathermap/index.js';
import { createTestSource } from '../../../core/testkit/index.js';
import { defaultOwmWeather, OWM_ONE_CALL_SUBSCRIPTION, startFakeOpenWeatherMap, type FakeOpenWeatherMap } from '../../fakes/openweathermap.js';
import { describeGoldenCases, type GoldenCase } from '../../support/golden-cases.js';
import { describeLifecycle } from '../../support/lifecycle-suite.js';
import { useSourceHarness } from '../../support/source-harness.js';

const KEY = 'owm-test-key-abcdef';
const GOLDEN = new URL('./golden/', import.meta.url);
const PLACE = { latitude: 50.06, longitude: 14.44 };

const harness = useSourceHarness({ plugin, startFake: () => startFakeOpenWeatherMap(KEY), options: PLACE, credentials: { api_key: KEY }, fakeClock: true });
const make = (options: Record<string, unknown> = {}, credentials?: Record<string, string>, now?: number) => harness.make(options, { credentials, now });

describeGoldenCases<GoldenCase, FakeOpenWeatherMap>('openweathermap', { dir: GOLDEN, make: (golden) => make(golden.options, undefined, Date.parse(golden.now)) });

describe('openweathermap requests', () => {
  it('reads /data/2.5/weather in metric units with the key as appid, one request a run', async () => {
    const now = Date.parse('2026-01-10T12:07:00Z');
    const { fake, src } = await make({}, undefined, now);
    expect((await src.run()).ok).toBe(true);
    expect(fake.requests.map((r) => [r.path, r.query])).toEqual([['/data/2.5/weather', { lat: '50.06', lon: '14.44', units: 'metric', appid: KEY }]]);
    const w = defaultOwmWeather(new Date('2026-01-10T12:00:00Z'));
    expect(src.points).toHaveLength(1);
    expect(src.points[0]).toMatchObject({ measurement: 'weather', time: new Date('2026-01-10T12:00:00Z'), fields: { temperature_c: w.temp, wind_speed_kmh: 12.6, pressure_hpa: 1015 } });
  });

  it('reads One Call 3.0 with a subscribed key: current and the next forecast_hours hours', async () => {
    const now = Date.parse('2026-01-10T12:07:00Z');
    const { fake, src } = await make({ one_call: true, forecast_hours: 6 }, undefined, now);
    fake.oneCallKeys.add(KEY);
    expect((await src.run()).ok).toBe(true);
    expect(fake.requests[0]).toMatchObject({ path: '/data/3.0/onecall', query: { lat: '50.06', lon: '14.44', units: 'metric', exclude: 'minutely,daily,alerts', appid: KEY } });
    const forecast = src.points.filter((p) => p.measurement === 'weather_forecast');
    expect(forecast.map((p) => p.time.toISOString())).toEqual([13, 14, 15, 16, 17, 18].map((h) => `2026-01-10T${h}:00:00.000Z`));
    for (const p of forecast) expect(p.fields.temperature_c).toBe(defaultOwmWeather(p.time).temp);
    expect(src.health().details).toEqual({ mode: 'one_call', timezone: 'Europe/Rome' });
  });
});

describe('openweathermap keys and plans', () => {
  it('says a key without the One Call subscription is an access matter, and names the way out', async () => {
    const { src } = await make({ one_call: true });
    await src.run();
    const h = src.health();
    expect([h.status, h.status_detail, h.last_error?.http_status]).toEqual(['error', 'access_denied', 401]);
    expect(h.last_error?.message).toContain(OWM_ONE_CALL_SUBSCRIPTION);
    expect(h.last_error?.message).toContain('set one_call: false');
  });

  it('explains a new key that is not active yet, and starts once it is', async () => {
    let now = Date.parse('2026-01-10T12:00:00Z');
    const fake = await harness.startFake();
    fake.now = () => now;
    const src = harness.track(await createTestSource({ plugin, options: { ...PLACE, base_url: fake.url }, credentials: { api_key: 'brand-new-key-123456' }, now: () => now }));
    fake.pendingKeys.set('brand-new-key-123456', now + 2 * 3_600_000);
    await src.run();
    expect(src.health()).toMatchObject({ status: 'error', status_detail: 'credentials_invalid' });
    expect(src.health().last_error?.message).toContain('a new key takes up to 2 hours to become active');
    expect(src.logs()).not.toContain('brand-new-key-123456');
    now += 2 * 3_600_000;
    expect((await src.run()).ok).toBe(true);
    expect(src.health().status_detail).toBe('operational');
  });

  it('says a key that worked before and is now refused was probably deleted', async () => {
    const { fake, src } = await make();
    expect((await src.run()).ok).toBe(true);
    fake.keys.clear();
    await src.run();
    expect(src.health().status_detail).toBe('credentials_invalid');
    expect(src.health().last_error?.message).toContain('it worked before, so it was probably deleted or blocked');
  });

  it('is rate limited once the fake blocks the account', async () => {
    const { fake, src } = await make();
    fake.perMinute = 1;
    expect((await src.run()).ok).toBe(true);
    await src.run();
    expect(src.health()).toMatchObject({ status: 'degraded', status_detail: 'rate_limited' });
  });

  it('honours Retry-After on a 429', async () => {
    const now = Date.parse('2026-01-10T12:00:00Z');
    const { fake, src } = await make({}, undefined, now);
    fake.failNext(1, 429, { headers: { 'retry-after': '600' } });
    await src.run();
    expect(src.health().hint).toContain('Waiting until 2026-01-10T12:10:00.000Z');
  });

  it('a dt past what a Date holds, or a wind speed whose km/h overflows, is a data error naming it, not a NaN point', async () => {
    // Found by test/faults/parsers.property.test.ts: these answers made points with an Invalid Date or Infinity.
    const golden = JSON.parse(readFileSync(new URL('one-call.json', GOLDEN), 'utf8')) as GoldenCase<{ status: number; body: Record<string, unknown> }>;
    const body = golden.upstream.body;
    const hourly = body.hourly as Record<string, unknown>[];
    const withHour = (i: number, change: Record<string, unknown>) => ({ ...body, hourly: hourly.map((h, j) => (j === i ? { ...h, ...change } : h)) });
    const cases: [Record<string, unknown>, string][] = [
      [withHour(3, { dt: 8640000000000.001 }), 'hourly[3].dt is not a Unix time'],
      [withHour(0, { wind_speed: 1e308 }), 'hourly[0].wind_speed is too large to be a wind speed (1e+308 m/s)'],
    ];
    for (const [answer, message] of cases) {
      const { fake, src } = await make(golden.options, undefined, Date.parse(golden.now));
      fake.failNext(1, 200, { body: JSON.stringify(answer) });
      const outcome = await src.run();
      expect(outcome.error).toMatchObject({ kind: 'data', message });
      expect(src.points).toEqual([]);
    }
  });

  it('a cod that is neither a number nor a string is a data error, not "[object Object]" or a TypeError', async () => {
    // Found by test/faults/parsers.property.test.ts: `String(cod)` of an object.
    const golden = JSON.parse(readFileSync(new URL('current.json', GOLDEN), 'utf8')) as GoldenCase<{ status: number; body: Record<string, unknown> }>;
    for (const cod of [{}, { toString: 1 }]) {
      const { fake, src } = await make({}, undefined, Date.parse(golden.now));
      fake.failNext(1, 200, { body: JSON.stringify({ ...golden.upstream.body, cod }) });
      const outcome = await src.run();
      expect(outcome.error).toMatchObject({ kind: 'data', message: `the answer's cod is ${JSON.stringify(cod)}, not a status code` });
    }
  });

  it('retries a 5xx within the run', async () => {
    const { fake, src } = await make({ retries: 2 });
    fake.failNext(2, 503);
    expect((await src.run()).ok).toBe(true);
    expect(fake.requests.map((r) => r.status)).toEqual([503, 503, 200]);
  });
});

describeLifecycle('openweathermap', {
  plugin,
  startFake: () => startFakeOpenWeatherMap(KEY),
  options: PLACE,
  credentials: { api_key: KEY },
  badCredentials: { api_key: 'wrong-owm-key-9999' },
  checkPoints: (points) => {
    expect(points.map((p) => p.measurement)).toEqual(['weather']);
    expect(points[0]!.tags.provider).toBe('openweathermap');
  },
});
