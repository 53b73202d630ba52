import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { PlannerConfig } from '../../core/config/types.js';
import { PlannerService } from '../../core/planner/planner-service.js';
import type { PlanAnswer } from '../../core/planner/plan-answer.js';
import { carbonSeries, priceSeries } from '../../core/planner/signal-points.js';
import type { Point } from '../../core/plugin-api/point.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 11, 5, 20, 0);

function wattTime(values: number[], tags: Record<string, string> = {}): Point[] {
  return values.map((value, i) => ({
    measurement: 'carbon_intensity',
    tags: { region: 'CAISO_NORTH', signal_type: 'co2_moer', series: 'forecast', ...tags },
    fields: { value },
    time: new Date(T0 + i * 5 * MIN),
  }));
}

function prices(values: number[], resolution = 'PT15M'): Point[] {
  const minutes = Number(/\d+/.exec(resolution)![0]);
  return values.map((price_per_kwh, i) => ({
    measurement: 'electricity_price',
    tags: { provider: 'awattar', area: 'DE', currency: 'EUR', resolution },
    fields: { price_per_kwh },
    time: new Date(T0 + i * minutes * MIN),
  }));
}

describe('signals from points', () => {
  it('WattTime forecast in lb/MWh becomes gCO2eq/kWh; index, history and health damage are left out', () => {
    const points = [
      ...wattTime([1000, 500]),
      ...wattTime([77], { series: 'index' }),
      ...wattTime([900], { series: 'historical' }),
      ...wattTime([40, 40], { signal_type: 'health_damage' }),
    ];
    const carbon = carbonSeries(points);
    expect(carbon.slots).toEqual([
      { start: T0, end: T0 + 5 * MIN, value: 453.59237 },
      { start: T0 + 5 * MIN, end: T0 + 10 * MIN, value: 226.796185 },
    ]);
    expect(carbon.resolutionMs).toBe(5 * MIN);
  });

  it('a carbon source that writes gCO2eq/kWh is taken as it is', () => {
    const points: Point[] = [{ measurement: 'carbon_intensity', tags: { region: 'GB', unit: 'gCO2eq/kWh' }, fields: { value: 180 }, time: new Date(T0) }];
    expect(carbonSeries(points).slots).toEqual([]); // one point and no resolution: no slot length to give it
    points[0]!.tags!.resolution = 'PT30M';
    expect(carbonSeries(points).slots).toEqual([{ start: T0, end: T0 + 30 * MIN, value: 180 }]);
  });

  it('prices take their resolution tag, also where a day switches from hours to quarter-hours', () => {
    const hourly = prices([0.3], 'PT60M');
    const quarters = prices([0.1, 0.2], 'PT15M').map((p) => ({ ...p, time: new Date(p.time.getTime() + 60 * MIN) }));
    const price = priceSeries([...quarters, ...hourly]);
    expect(price.slots.map((s) => [(s.start - T0) / MIN, (s.end - T0) / MIN, s.value])).toEqual([
      [0, 60, 0.3],
      [60, 75, 0.1],
      [75, 90, 0.2],
    ]);
    expect(price.currency).toBe('EUR');
  });
});

describe('the planner service', () => {
  const config: PlannerConfig = {
    carbon: 'carbon',
    price: 'prices',
    time_zone: 'Europe/Berlin',
    tasks: { washer: { name: 'washer', duration_ms: 30 * MIN, weights: { carbon: 1, price: 1 }, contiguous: true, max_segments: 3 } },
  };

  it('plans its tasks again after a run of a signal source, and tells listeners when a plan changed', async () => {
    // Every half hour from 20:15 to 20:30 averages 0.20: the earliest, 20:15, wins.
    const points: Record<string, Point[]> = { carbon: wattTime(Array(12).fill(800)), prices: prices([0.3, 0.3, 0.1, 0.3]) };
    const service = new PlannerService(config, (id) => points[id] ?? [], pino({ level: 'silent' }), () => T0);
    const changes: Array<[string, PlanAnswer]> = [];
    service.onPlanChanged((task, plan) => changes.push([task, plan]));
    service.runFinished('weather', 'success');
    service.runFinished('carbon', 'failure');
    await new Promise((r) => setImmediate(r));
    expect(changes).toEqual([]);
    service.runFinished('prices', 'success');
    await new Promise((r) => setImmediate(r));
    expect(changes.map(([task, plan]) => [task, plan.start])).toEqual([['washer', '2026-12-05T20:15:00Z']]);
    expect(service.plans.get('washer')?.status).toBe('ok');
    // Cleaner carbon in the first half hour: 20:00 scores as well as 20:15 (carbon 0 + price 1 a cell), and is earlier.
    points.carbon = wattTime([100, 100, 100, 100, 100, 100, 800, 800, 800, 800, 800, 800]);
    service.runFinished('carbon', 'success');
    await new Promise((r) => setImmediate(r));
    expect(changes.map(([, plan]) => plan.start)).toEqual(['2026-12-05T20:15:00Z', '2026-12-05T20:00:00Z']);
    // The same plan again is no news.
    service.runFinished('carbon', 'success');
    await new Promise((r) => setImmediate(r));
    expect(changes).toHaveLength(2);
  });

  it('start plans the tasks at once (and then every few minutes), without waiting for a run', async () => {
    const points: Record<string, Point[]> = { carbon: wattTime(Array(12).fill(800)), prices: prices([0.3, 0.3, 0.1, 0.3]) };
    const service = new PlannerService(config, (id) => points[id] ?? [], pino({ level: 'silent' }), () => T0);
    service.start();
    await new Promise((r) => setImmediate(r));
    service.stop();
    expect(service.plans.get('washer')?.start).toBe('2026-12-05T20:15:00Z');
  });
});
