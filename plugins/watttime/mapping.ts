import { pointToJson, type Point } from '../../core/plugin-api/index.js';
import type { SeriesPayload, WattTimeMeta } from './client.js';

/**
 * WattTime answers as points (CONTRACT §4): measurement `carbon_intensity`, tags `region`,
 * `signal_type` and `series`, field `value` (a float in the upstream's unit), at the upstream's
 * `point_time`. The host adds the `source` tag.
 */

export const MEASUREMENT = 'carbon_intensity';

/** Which answer a point came from: `/v3/forecast`, `/v3/signal-index` or `/v3/historical`. */
export type Series = 'forecast' | 'index' | 'historical';

/** The points of one validated answer; region and signal come from its `meta`. */
export function toPoints(payload: SeriesPayload, series: Series): Point[] {
  const tags = { region: payload.meta.region, signal_type: payload.meta.signalType, series };
  return payload.data.map(({ time, value }) => ({ measurement: MEASUREMENT, tags: { ...tags }, fields: { value }, time }));
}

/** Points of a `/v3/forecast` answer (`series=forecast`). */
export function forecastPoints(payload: SeriesPayload): Point[] {
  return toPoints(payload, 'forecast');
}

/** Points of a `/v3/signal-index` answer (`series=index`, value in percent). */
export function indexPoints(payload: SeriesPayload): Point[] {
  return toPoints(payload, 'index');
}

/** Points of a `/v3/historical` answer (`series=historical`). */
export function historicalPoints(payload: SeriesPayload): Point[] {
  return toPoints(payload, 'historical');
}

/** `meta.warnings` as lines for the health API and the log: `MISSING_DATA: …`, without repeats. */
export function warningTexts(...metas: WattTimeMeta[]): string[] {
  const lines = metas.flatMap((meta) => meta.warnings.map((w) => (w.message ? `${w.type}: ${w.message}` : w.type)));
  return [...new Set(lines)];
}

/**
 * The shape of `/api/sources/:id/latest`: per series (region, signal, forecast/index/historical)
 * the value in force at `now`, that is the newest point not after it; a series whose points all
 * lie ahead gives its first. The host's default (the newest point) would show the far end of the
 * forecast instead of the value now.
 */
export function latestValues(points: readonly Point[], now: Date): { points: Record<string, unknown>[] } {
  const chosen = new Map<string, Point>();
  for (const p of points) {
    const key = `${p.measurement}|${JSON.stringify(Object.entries(p.tags ?? {}).sort())}`;
    const held = chosen.get(key);
    if (!held || better(p, held, now.getTime())) chosen.set(key, p);
  }
  return { points: [...chosen.values()].map(pointToJson) };
}

function better(candidate: Point, held: Point, now: number): boolean {
  const [c, h] = [candidate.time.getTime(), held.time.getTime()];
  if (c <= now) return h > now || c > h;
  return h > now && c < h;
}
