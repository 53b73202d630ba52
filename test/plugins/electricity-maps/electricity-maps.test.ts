import { describe, expect, it, vi } from 'vitest';
import plugin from '../../../plugins/electricity-maps/index.js';
import { createTestSource } from '../../../core/testkit/index.js';
import { fakeCarbon, startFakeElectricityMaps, type FakeElectricityMaps } from '../../fakes/electricity-maps.js';
import { describeGoldenCases, type GoldenCase } from '../../support/golden-cases.js';
import { describeLifecycle } from '../../support/lifecycle-suite.js';
import { makeAtFrozenTime } from '../../support/frozen-clock.js';
import { useSourceHarness } from '../../support/source-harness.js';

const TOKEN = 'em-test-token-4f2a9c';
const NOW = Date.parse('2026-12-05T07:10:00Z');
const HOUR = Date.parse('2026-12-05T07:00:00Z');

const startFake = async (plan?: Parameters<FakeElectricityMaps['addToken']>[1]) => {
  const fake = await startFakeElectricityMaps();
  fake.addToken(TOKEN, plan);
  return fake;
};
const harness = useSourceHarness({ plugin, startFake: () => startFake(), options: { zone: 'DE' }, credentials: { api_key: TOKEN } });
const make = makeAtFrozenTime(harness, NOW);

function plain(points: unknown[]): unknown[] {
  type P = { time: string; tags: Record<string, string> };
  const key = (p: P) => `${p.time}|${p.tags.series}`;
  return (JSON.parse(JSON.stringify(points)) as P[]).sort((a, b) => key(a).localeCompare(key(b)));
}

describeGoldenCases<GoldenCase, FakeElectricityMaps>('electricity-maps', {
  dir: new URL('./golden/', import.meta.url),
  make: (golden) => make(golden.options, Date.parse(golden.now)),
  plain,
});

describe('electricity-maps against the fake API', () => {
  it('free tier: latest and 24 hours written, the forecast access_denied for that part only, the token sent as auth-token', async () => {
    const { fake, src } = await make();
    expect((await src.run()).ok).toBe(true);
    expect(fake.requests.map((r) => [r.path, r.query.zone, r.status])).toEqual([
      ['/v3/carbon-intensity/latest', 'DE', 200],
      ['/v3/carbon-intensity/history', 'DE', 200],
      ['/v3/carbon-intensity/forecast', 'DE', 403],
    ]);
    expect(src.points.filter((p) => p.tags.series === 'historical')).toHaveLength(24);
    expect(src.points.find((p) => p.time.getTime() === HOUR)).toMatchObject({ tags: { region: 'DE', signal_type: 'co2_lifecycle', series: 'historical' }, fields: { value: fakeCarbon('DE', HOUR) } });
    const h = src.health();
    expect(h.status_detail).toBe('operational');
    expect(h.item_errors).toEqual([{ item: 'forecast', message: expect.stringContaining("not in this token's plan (the free tier has none; it needs a paid plan)") }]);
    // The refusal stands for a day: the next run does not ask again, and still reports it.
    await src.run();
    expect(fake.requests.filter((r) => r.path.endsWith('/forecast'))).toHaveLength(1);
    expect(src.health().item_errors).toHaveLength(1);
    expect(src.logs() + JSON.stringify(src.health())).not.toContain(TOKEN);
  });

  it('a paid plan reads the forecast; direct emission factors are asked for and tagged', async () => {
    const fake = await harness.startFake();
    fake.addToken('paid-token-0001', { plan: 'paid', zones: ['DE'] });
    vi.setSystemTime(NOW);
    const src = harness.track(await createTestSource({ plugin, options: { base_url: fake.url, zone: 'DE', emission_factor_type: 'direct', retries: 0 }, credentials: { api_key: 'paid-token-0001' }, now: () => NOW }));
    expect((await src.run()).ok).toBe(true);
    const forecast = src.points.filter((p) => p.tags.series === 'forecast');
    expect(forecast).toHaveLength(24);
    expect(forecast[0]).toMatchObject({ time: new Date(HOUR + 3_600_000), tags: { signal_type: 'co2_direct' }, fields: { value: fakeCarbon('DE', HOUR + 3_600_000, 'direct') } });
    expect(fake.requests.every((r) => r.query.emissionFactorType === 'direct')).toBe(true);
    expect(src.health().item_errors).toEqual([]);
  });

  it('by coordinates: lat and lon, never the caller IP, and the zone found names the points', async () => {
    const { fake, src } = await make({ zone: undefined, latitude: 52.52, longitude: 13.41, forecast: false });
    expect((await src.run()).ok).toBe(true);
    expect(fake.requests[0]!.query).toMatchObject({ lat: '52.52', lon: '13.41', shouldUseFallbackCallerLookup: 'false' });
    expect(src.points.every((p) => p.tags.region === 'DE')).toBe(true);
    expect(src.health().details).toEqual({ zone: 'DE', emission_factor_type: 'lifecycle' });
  });

  it('a changed history endpoint (404) is reported for that part in plain words; the rest keeps working', async () => {
    const { fake, src } = await make({ forecast: false });
    fake.failNext(1, 404, { path: '/v3/carbon-intensity/history', body: { error: 'Not Found' } });
    expect((await src.run()).ok).toBe(true);
    expect(src.points).toHaveLength(1);
    expect(src.health().item_errors).toEqual([{ item: 'history', message: 'Electricity Maps has no GET /v3/carbon-intensity/history any more (404: Not Found): the API has changed; a newer HomeIQ may read it' }]);
  });

  it('a malformed history entry is a data error for that part, naming the entry', async () => {
    const { fake, src } = await make({ forecast: false });
    fake.failNext(1, 200, { path: '/v3/carbon-intensity/history', body: { zone: 'DE', history: [{ carbonIntensity: 300, datetime: 'yesterday' }] } });
    expect((await src.run()).ok).toBe(true);
    expect(src.health().item_errors).toEqual([{ item: 'history', message: 'history: history[0].datetime is not a time ("yesterday")' }]);
  });

  it('needs a zone or coordinates', async () => {
    const fake = await harness.startFake();
    const src = harness.track(await createTestSource({ plugin, options: { base_url: fake.url }, credentials: { api_key: TOKEN } }));
    expect(src.runnable).toBe(false);
    expect(src.health().last_error?.message).toContain('options.zone or options.latitude and longitude');
    await expect(createTestSource({ plugin, options: { base_url: fake.url, zone: 'germany' }, credentials: { api_key: TOKEN } })).rejects.toThrow(/zone/);
  });
});

describeLifecycle('electricity-maps', {
  plugin,
  startFake: async () => {
    const fake = await startFake();
    return Object.assign(fake, { requestCount: () => fake.requests.length });
  },
  options: { zone: 'DE' },
  credentials: { api_key: TOKEN },
  badCredentials: { api_key: 'wrong-em-token-9999' },
  checkPoints: (points) => expect(points.every((p) => p.tags.region === 'DE')).toBe(true),
});
