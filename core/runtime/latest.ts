import { isIntField, type Point } from '../plugin-api/point.js';

/** The newest point of each series (measurement + tags), as plain JSON. */
export function latestOf(points: readonly Point[]): { points: Record<string, unknown>[] } {
  const newest = new Map<string, Point>();
  for (const p of points) {
    const key = `${p.measurement}|${JSON.stringify(Object.entries(p.tags ?? {}).sort())}`;
    const seen = newest.get(key);
    if (!seen || seen.time < p.time) newest.set(key, p);
  }
  return {
    points: [...newest.values()].map((p) => ({
      measurement: p.measurement,
      time: p.time.toISOString(),
      tags: p.tags ?? {},
      fields: Object.fromEntries(Object.entries(p.fields).map(([k, v]) => [k, isIntField(v) ? v.int : v])),
    })),
  };
}
