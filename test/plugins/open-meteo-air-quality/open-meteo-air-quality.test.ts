import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import plugin from '../../../plugins/open-meteo-air-quality/index.js';
import { createTestSource } from '../../../core/testkit/index.js';
import { defaultAirQuality, startFakeOpenMeteo, type FakeOpenMeteo } from '../../fakes/open-meteo.js';
import { describeGoldenCases, type GoldenCase } from '../../support/golden-cases.js';
import { describeLifecycle } from '../../support/lifecycle-suite.js';
import { useSourceHarness } from '../../support/source-harness.js';

const GOLDEN = new URL('./golden/', import.meta.url);
const BERLIN = { latitude: 52.52, longitude: 13.41 };

const { make: makeSource, startFake } = useSourceHarness({ plugin, startFake: startFakeOpenMeteo, options: BERLIN, fakeClock: true });
const make = (options: Record<string, unknown> = {}, now?: number) => makeSource(options, { now });

describeGoldenCases<GoldenCase, FakeOpenMeteo>('open-meteo-air-quality', {
  dir: GOLDEN,
  make: (golden) => make(golden.options, Date.parse(golden.now)),
  notApplicable: { '401': 'Open-Meteo takes no key' },
});

describe('open-meteo-air-quality against the fake', () => {
  it('asks for the US index of every pollutant, now and hourly, in local time', async () => {
    const now = Date.parse('2026-06-01T10:20:00Z');
    const { fake, src } = await make({}, now);
    expect((await src.run()).ok).toBe(true);
    const names = 'us_aqi,us_aqi_ozone,us_aqi_pm2_5,us_aqi_pm10,us_aqi_nitrogen_dioxide,us_aqi_carbon_monoxide,us_aqi_sulphur_dioxide';
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ path: '/v1/air-quality', query: { latitude: '52.52', longitude: '13.41', current: names, hourly: names, timezone: 'auto', forecast_days: '3' } });
    const current = src.points.filter((p) => p.measurement === 'air_quality');
    expect(current.map((p) => p.tags.parameter)).toEqual(['overall', 'o3', 'pm25', 'pm10', 'no2', 'co', 'so2']);
    expect(current.every((p) => p.time.toISOString() === '2026-06-01T10:00:00.000Z')).toBe(true);
    const forecast = src.points.filter((p) => p.measurement === 'air_quality_forecast' && p.tags.parameter === 'overall');
    expect(forecast).toHaveLength(48);
    // Each hour carries the value of its own instant (the fake derives values from it), in CEST.
    for (const p of forecast) expect(p.fields.aqi).toBe(defaultAirQuality(p.time).us_aqi);
    expect(forecast[0]!.time.toISOString()).toBe('2026-06-01T11:00:00.000Z');
    expect(src.health().details).toMatchObject({ index: 'us', timezone: 'Europe/Berlin', utc_offset_seconds: 7200 });
  });

  it('writes the European index when asked, without a CO sub-index', async () => {
    const { fake, src } = await make({ index: 'european', forecast_hours: 0 });
    await src.run();
    expect(fake.requests[0]!.query.current).toBe('european_aqi,european_aqi_ozone,european_aqi_pm2_5,european_aqi_pm10,european_aqi_nitrogen_dioxide,european_aqi_sulphur_dioxide');
    expect(fake.requests[0]!.query.hourly).toBeUndefined();
    expect(src.points.map((p) => p.tags.parameter)).toEqual(['overall', 'o3', 'pm25', 'pm10', 'no2', 'so2']);
    expect(src.points[0]!.fields).toEqual({ aqi: 30, category: { int: 2 }, category_name: 'Fair' });
  });

  it('goes degraded on a 5xx and recovers on the next run', async () => {
    const { fake, src } = await make();
    fake.failNext(1, 500);
    await src.run();
    expect([src.health().status_detail, src.health().last_error?.http_status]).toEqual(['degraded', 500]);
    expect(src.health().last_error?.message).toBe('Open-Meteo Air Quality answered 500 Internal Server Error for GET /v1/air-quality: fake failure 500');
    expect((await src.run()).ok).toBe(true);
    expect(src.health().status_detail).toBe('operational');
  });

  it('honours Retry-After on a 429', async () => {
    const now = Date.parse('2026-01-10T12:00:00Z');
    const { fake, src } = await make({}, now);
    fake.failNext(1, 429, { headers: { 'retry-after': '30' }, body: '' });
    await src.run();
    expect(src.health()).toMatchObject({ status_detail: 'rate_limited' });
    expect(src.health().hint).toContain('Waiting until 2026-01-10T12:00:30.000Z');
  });

  it('a time past what a Date holds (Unix seconds or utc_offset_seconds out of range) is a data error naming it, not a NaN point', async () => {
    // The same flaw test/faults/parsers.property.test.ts found in open-meteo's weather answers.
    const golden = JSON.parse(readFileSync(new URL('normal-us.json', GOLDEN), 'utf8')) as GoldenCase<{ status: number; body: Record<string, unknown> }>;
    const body = golden.upstream.body;
    const hourly = body.hourly as { time: unknown[] };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...body, hourly: { ...hourly, time: [8640000000001, ...hourly.time.slice(1)] } }, 'hourly.time[0] is not a date'],
      [{ ...body, utc_offset_seconds: -8640000000000000000 }, 'current.time is not a date'],
    ];
    for (const [answer, message] of cases) {
      const { fake, src } = await make(golden.options, Date.parse(golden.now));
      fake.failNext(1, 200, { body: JSON.stringify(answer) });
      const outcome = await src.run();
      expect(outcome.error).toMatchObject({ kind: 'data', message });
      expect(src.points).toEqual([]);
    }
  });

  it('refuses an index it does not know in the config', async () => {
    const fake = await startFake();
    await expect(createTestSource({ plugin, options: { ...BERLIN, index: 'uk', base_url: fake.url } })).rejects.toThrow(/options\.index: must be one of: us, european/);
  });
});

describeLifecycle('open-meteo-air-quality', {
  plugin,
  startFake: startFakeOpenMeteo,
  options: BERLIN,
  checkPoints: (points) => {
    for (const p of points) expect(p.tags.provider).toBe('open-meteo');
    expect(points.some((p) => p.measurement === 'air_quality' && p.tags.parameter === 'overall')).toBe(true);
  },
});
