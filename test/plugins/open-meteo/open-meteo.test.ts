import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import plugin from '../../../plugins/open-meteo/index.js';
import { createTestSource } from '../../../core/testkit/index.js';
import { defaultWeather, startFakeOpenMeteo, type FakeOpenMeteo } from '../../fakes/open-meteo.js';
import { describeGoldenCases, type GoldenCase } from '../../support/golden-cases.js';
import { describeLifecycle } from '../../support/lifecycle-suite.js';
import { useSourceHarness } from '../../support/source-harness.js';

const GOLDEN = new URL('./golden/', import.meta.url);
const BERLIN = { latitude: 52.52, longitude: 13.41 };

const { make: makeSource, startFake } = useSourceHarness({ plugin, startFake: startFakeOpenMeteo, options: BERLIN, fakeClock: true });
const make = (options: Record<string, unknown> = {}, now?: number) => makeSource(options, { now });

describeGoldenCases<GoldenCase, FakeOpenMeteo>('open-meteo', {
  dir: GOLDEN,
  make: (golden) => make(golden.options, Date.parse(golden.now)),
  notApplicable: { '401': 'Open-Meteo takes no key' },
});

describe('open-meteo requests', () => {
  it('asks for current and hourly values in metric units and local time, one request a run', async () => {
    const { fake, src } = await make();
    expect((await src.run()).ok).toBe(true);
    expect(fake.requests).toHaveLength(1);
    const vars = 'temperature_2m,relative_humidity_2m,wind_speed_10m,wind_direction_10m,precipitation,pressure_msl,cloud_cover,weather_code';
    expect(fake.requests[0]).toMatchObject({
      path: '/v1/forecast',
      query: { latitude: '52.52', longitude: '13.41', current: vars, hourly: vars, timezone: 'auto', forecast_days: '3', temperature_unit: 'celsius', wind_speed_unit: 'kmh', precipitation_unit: 'mm' },
    });
    expect(src.points.filter((p) => p.measurement === 'weather_forecast')).toHaveLength(48);
    expect(src.health().details).toMatchObject({ timezone: 'Europe/Berlin', grid: { latitude: 52.5, longitude: 13.4, elevation: 38 } });
  });

  it('writes no forecast and asks for none with forecast_hours: 0', async () => {
    const { fake, src } = await make({ forecast_hours: 0 });
    await src.run();
    expect(fake.requests[0]!.query.hourly).toBeUndefined();
    expect(src.points.map((p) => p.measurement)).toEqual(['weather']);
  });
});

describe('open-meteo across a daylight-saving change (times converted with utc_offset_seconds)', () => {
  const forecastOf = (points: { measurement: string; time: Date; fields: Record<string, unknown> }[]) => points.filter((p) => p.measurement === 'weather_forecast');

  it.each([
    ['autumn, asked in summer time', '2026-10-24T21:40:00Z', 7200],
    ['autumn, asked in winter time', '2026-10-25T02:10:00Z', 3600],
    ['spring, asked in winter time', '2026-03-28T23:50:00Z', 3600],
    ['spring, asked in summer time', '2026-03-29T01:20:00Z', 7200],
  ])('%s: every hour lands on its own instant with its own values', async (_name, at, offset) => {
    const now = Date.parse(at);
    const { src } = await make({ forecast_hours: 24 }, now);
    expect((await src.run()).ok).toBe(true);
    expect(src.health().details.utc_offset_seconds).toBe(offset);
    const current = src.points.find((p) => p.measurement === 'weather')!;
    expect(current.time.getTime()).toBe(Math.floor(now / 900_000) * 900_000);
    const forecast = forecastOf(src.points);
    expect(forecast).toHaveLength(24);
    const first = Math.floor(now / 3_600_000) * 3_600_000 + 3_600_000;
    expect(forecast.map((p) => p.time.getTime())).toEqual(Array.from({ length: 24 }, (_, i) => first + i * 3_600_000));
    // The fake derives each value from its instant: an hour's shift would show as other values.
    for (const p of forecast) expect(p.fields.temperature_c).toBe(defaultWeather(p.time).temperature_2m);
  });
});

describe('open-meteo errors', () => {
  it('waits for the next minute when the free per-minute limit is used up', async () => {
    const now = Date.parse('2026-01-10T12:00:20Z');
    const { fake, src } = await make({}, now);
    fake.limits.minutely = 1;
    expect((await src.run()).ok).toBe(true);
    await src.run();
    const h = src.health();
    expect([h.status, h.status_detail, h.last_error?.http_status]).toEqual(['degraded', 'rate_limited', 429]);
    expect(h.last_error?.message).toBe("Open-Meteo's free request limit is used up: Minutely API request limit exceeded. Please try again in one minute.");
  });

  it('honours a Retry-After on a 429', async () => {
    const now = Date.parse('2026-01-10T12:00:00Z');
    const { fake, src } = await make({}, now);
    fake.failNext(1, 429, { headers: { 'retry-after': '90' }, body: JSON.stringify({ error: true, reason: 'Too many requests' }) });
    await src.run();
    expect(src.health().hint).toContain('Waiting until 2026-01-10T12:01:30.000Z');
  });

  it('goes degraded on a 5xx after its retries, then error after error_after', async () => {
    const { fake, src } = await make({ retries: 1, error_after: 2 });
    fake.failNext(4, 503);
    await src.run();
    expect([src.health().status_detail, src.health().last_error?.http_status]).toEqual(['degraded', 503]);
    expect(src.health().last_error?.message).toBe('Open-Meteo answered 503 Service Unavailable for GET /v1/forecast: fake failure 503');
    await src.run();
    expect(src.health().status).toBe('error');
    expect(fake.requests).toHaveLength(4);
    expect((await src.run()).ok).toBe(true);
  });

  it('a time past what a Date holds (Unix seconds or utc_offset_seconds out of range) is a data error naming it, not a NaN point', async () => {
    // Found by test/faults/parsers.property.test.ts: these answers made points with an Invalid Date.
    const golden = JSON.parse(readFileSync(new URL('normal.json', GOLDEN), 'utf8')) as GoldenCase<{ status: number; body: Record<string, unknown> }>;
    const now = Date.parse(golden.now);
    const body = golden.upstream.body;
    const hourly = body.hourly as { time: unknown[] };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...body, hourly: { ...hourly, time: [-8640000000001, ...hourly.time.slice(1)] } }, 'hourly.time[0] is not a date'],
      [{ ...body, utc_offset_seconds: 8640000000000000000 }, 'current.time is not a date'],
    ];
    for (const [answer, message] of cases) {
      const { fake, src } = await make(golden.options, now);
      fake.failNext(1, 200, { body: JSON.stringify(answer) });
      const outcome = await src.run();
      expect(outcome.error).toMatchObject({ kind: 'data', message });
      expect(src.points).toEqual([]);
    }
  });

  it('maps an HTML error page without a reason through the host', async () => {
    const { fake, src } = await make();
    fake.failNext(1, 502, { body: '<html><head><title>502 Bad Gateway</title></head></html>', headers: { 'content-type': 'text/html' } });
    await src.run();
    expect(src.health().last_error?.message).toBe('Open-Meteo answered 502 Bad Gateway for GET /v1/forecast: 502 Bad Gateway');
  });

  it('refuses a place outside the map in the config', async () => {
    const fake = await startFake();
    await expect(createTestSource({ plugin, options: { latitude: 95, longitude: 13, base_url: fake.url } })).rejects.toThrow(/options\.latitude: must be between -90 and 90/);
    await expect(createTestSource({ plugin, options: { latitude: 52, base_url: fake.url } })).rejects.toThrow(/options\.longitude: is required/);
  });
});

describeLifecycle('open-meteo', {
  plugin,
  startFake: startFakeOpenMeteo,
  options: BERLIN,
  checkPoints: (points) => {
    expect(points[0]!.measurement).toBe('weather');
    for (const p of points) expect(p.tags.provider).toBe('open-meteo');
  },
});
