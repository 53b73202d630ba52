import { currentAndNext, type Point } from '../../core/plugin-api/index.js';
import type { FuelShare, Period } from './periods.js';

/**
 * The points of the NESO answers (CONTRACT §4), in WattTime's convention so that the planner and
 * Home Assistant read both alike: measurement `carbon_intensity`, tags `region`, `signal_type` and
 * `series` (`forecast`, or `historical` for NESO's actual value), field `value` in gCO2eq/kWh
 * (plus `index`, NESO's word for the forecast); the mix as `generation_mix`, one point per fuel.
 */

export const PERIOD_MS = 30 * 60_000;
/** NESO counts direct (operational) emissions of generation, not the life cycle. */
export const SIGNAL_TYPE = 'co2_direct';
/** The `region` tag of Great Britain as a whole. */
export const NATIONAL = 'GB';

/** The forecast of every period, and the actual value where NESO has one. */
export function intensityPoints(region: string, periods: readonly Period[]): Point[] {
  const points: Point[] = [];
  const tags = (series: string) => ({ region, signal_type: SIGNAL_TYPE, series });
  for (const p of periods) {
    if (p.forecast !== null) {
      const fields: Point['fields'] = { value: p.forecast };
      if (p.index !== undefined) fields.index = p.index;
      points.push({ measurement: 'carbon_intensity', tags: tags('forecast'), fields, time: p.from });
    }
    if (p.actual !== null) points.push({ measurement: 'carbon_intensity', tags: tags('historical'), fields: { value: p.actual }, time: p.from });
  }
  return points;
}

/** One `generation_mix` point per fuel of a period. */
export function mixPoints(region: string, from: Date, mix: readonly FuelShare[]): Point[] {
  return mix.map(({ fuel, percent }) => ({ measurement: 'generation_mix', tags: { region, fuel }, fields: { percent }, time: from }));
}

/** `/api/sources/:id/latest`: per series the half hour in force now, and the next one. */
export function latestPeriods(points: readonly Point[], now: Date): unknown {
  return currentAndNext(points, now, () => PERIOD_MS);
}
