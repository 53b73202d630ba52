import { describe, expect, it } from 'vitest';
import plugin from '../../../plugins/uk-carbon-intensity/index.js';
import { fakeActual, fakeIndex, fakeIntensity, startFakeUkCarbon, type FakeUkCarbon } from '../../fakes/uk-carbon-intensity.js';
import { describeGoldenCases, type GoldenCase } from '../../support/golden-cases.js';
import { describeLifecycle } from '../../support/lifecycle-suite.js';
import { makeAtFrozenTime } from '../../support/frozen-clock.js';
import { useSourceHarness } from '../../support/source-harness.js';

const NOW = Date.parse('2026-12-05T07:10:00Z');
const PERIOD = Date.parse('2026-12-05T07:00:00Z');
const HALF_HOUR = 1_800_000;

const harness = useSourceHarness({ plugin, startFake: () => startFakeUkCarbon(), fakeClock: true });
const make = makeAtFrozenTime(harness, NOW);

/** Points as JSON (ISO times), in a stable order. */
function plain(points: unknown[]): unknown[] {
  type P = { measurement: string; time: string; tags: Record<string, string> };
  const key = (p: P) => `${p.measurement}|${p.time}|${p.tags.series ?? ''}|${p.tags.fuel ?? ''}`;
  return (JSON.parse(JSON.stringify(points)) as P[]).sort((a, b) => key(a).localeCompare(key(b)));
}

describeGoldenCases<GoldenCase, FakeUkCarbon>('uk-carbon-intensity', {
  dir: new URL('./golden/', import.meta.url),
  make: (golden) => make(golden.options, Date.parse(golden.now)),
  plain,
  notApplicable: { '401': 'NESO takes no key' },
});

describe('uk-carbon-intensity against the fake NESO API', () => {
  it('nationally: 96 forecast periods from the current half hour, its actual value, the index and the mix', async () => {
    const { fake, src } = await make();
    expect((await src.run()).ok).toBe(true);
    expect(fake.requests.map((r) => [r.path, r.auth])).toEqual([
      ['/intensity/2026-12-05T07:00Z/fw48h', 'none'],
      ['/intensity', 'none'],
      ['/generation', 'none'],
    ]);
    const forecast = src.points.filter((p) => p.tags.series === 'forecast');
    expect(forecast).toHaveLength(96);
    expect(forecast[0]).toMatchObject({ measurement: 'carbon_intensity', time: new Date(PERIOD), tags: { region: 'GB', signal_type: 'co2_direct', source: 'test' } });
    expect(forecast[0]!.fields).toEqual({ value: fakeIntensity(0, PERIOD), index: fakeIndex(fakeIntensity(0, PERIOD)) });
    expect(forecast.at(-1)!.time.getTime()).toBe(PERIOD + 95 * HALF_HOUR);
    // Only the current period has happened: one actual value, written once.
    expect(src.points.filter((p) => p.tags.series === 'historical').map((p) => [p.time.getTime(), p.fields.value])).toEqual([[PERIOD, fakeActual(PERIOD)]]);
    const mix = src.points.filter((p) => p.measurement === 'generation_mix');
    expect(mix.map((p) => p.tags.fuel).sort()).toEqual(['biomass', 'coal', 'gas', 'hydro', 'imports', 'nuclear', 'other', 'solar', 'wind']);
    expect(mix.reduce((sum, p) => sum + (p.fields.percent as number), 0)).toBeCloseTo(100, 6);
    expect(src.health()).toMatchObject({ status_detail: 'operational', details: { area: 'Great Britain', region: 'GB' } });
  });

  it('latest answers the half hour in force now and the next one', async () => {
    const { src } = await make();
    await src.run();
    const latest = src.latest() as { points: { tags: Record<string, string>; time: string }[]; next: { time: string }[] };
    const forecastNow = latest.points.find((p) => p.tags.series === 'forecast');
    expect(forecastNow?.time).toBe('2026-12-05T07:00:00.000Z');
    expect(latest.next.map((p) => p.time)).toContain('2026-12-05T07:30:00.000Z');
  });

  it('a region by id: the regional forecast and the current period, tagged with its name, no actual', async () => {
    const { fake, src } = await make({ region_id: 13, forecast_hours: 24 });
    expect((await src.run()).ok).toBe(true);
    expect(fake.requests.map((r) => r.path)).toEqual(['/regional/intensity/2026-12-05T07:00Z/fw24h/regionid/13', '/regional/regionid/13']);
    const intensity = src.points.filter((p) => p.measurement === 'carbon_intensity');
    expect(intensity).toHaveLength(48);
    expect(intensity.every((p) => p.tags.region === 'London' && p.tags.series === 'forecast')).toBe(true);
    expect(intensity[0]!.fields.value).toBe(fakeIntensity(13, PERIOD));
    expect(src.points.filter((p) => p.measurement === 'generation_mix')).toHaveLength(48 * 9);
    expect(src.health().details).toEqual({ area: 'London', region: 'London', region_id: 13, dno_region: 'UKPN London' });
  });

  it('a postcode: only the outward part is sent, and the region it lies in is named', async () => {
    const { fake, src } = await make({ postcode: 'BS16 1QY', generation_mix: false });
    expect((await src.run()).ok).toBe(true);
    expect(fake.requests.map((r) => r.path)).toEqual(['/regional/intensity/2026-12-05T07:00Z/fw48h/postcode/BS16', '/regional/postcode/BS16']);
    expect(new Set(src.points.map((p) => p.measurement))).toEqual(new Set(['carbon_intensity']));
    expect(src.health().details).toMatchObject({ region: 'South West England', region_id: 11, postcode: 'BS16' });
  });

  it('the current period failing alone leaves the forecast written and names the part', async () => {
    const { fake, src } = await make();
    fake.failNext(1, 200, { path: '/intensity', body: { data: [{ from: '2026-12-05T07:00Z', intensity: 'moderate' }] } });
    expect((await src.run()).ok).toBe(true);
    expect(src.points.filter((p) => p.tags.series === 'forecast')).toHaveLength(96);
    expect(src.health().item_errors).toEqual([{ item: 'current period', message: 'intensity: data[0].intensity is not an object' }]);
  });

  it('refuses region_id and postcode together, naming both', async () => {
    const fake = await harness.startFake();
    const { createTestSource } = await import('../../../core/testkit/index.js');
    const src = harness.track(await createTestSource({ plugin, options: { base_url: fake.url, region_id: 3, postcode: 'M1' } }));
    expect(src.runnable).toBe(false);
    expect(src.health().last_error?.message).toContain('options.region_id and options.postcode are alternatives');
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses a region id outside 1-17 and a postcode that is not one, before any request', async () => {
    const fake = await harness.startFake();
    const { createTestSource } = await import('../../../core/testkit/index.js');
    const create = (options: Record<string, unknown>) => createTestSource({ plugin, options: { base_url: fake.url, ...options } });
    await expect(create({ region_id: 18 })).rejects.toThrow(/region_id/);
    await expect(create({ postcode: 'London' })).rejects.toThrow(/postcode/);
    await expect(create({ forecast_hours: 36 })).rejects.toThrow(/forecast_hours/);
  });
});

describeLifecycle('uk-carbon-intensity', {
  plugin,
  startFake: async () => {
    const fake = await startFakeUkCarbon();
    return Object.assign(fake, { requestCount: () => fake.requests.length });
  },
  checkPoints: (points) => expect(points.some((p) => p.measurement === 'carbon_intensity' && p.tags.series === 'forecast')).toBe(true),
});
