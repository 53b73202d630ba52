import type { Logger } from 'pino';
import type { FetchResult, ItemError } from '../plugin-api/data-source.js';
import { DataError } from '../plugin-api/errors.js';
import { isIntField, type Point, type SourcePoint } from '../plugin-api/point.js';

export interface NormalizedResult {
  points: SourcePoint[];
  errors: ItemError[];
  warnings: string[];
  details: Record<string, unknown>;
  /** The newest point time. */
  newest: number | null;
  /**
   * The newest point time not in the future, for the freshness check: forecast points lie ahead,
   * so only observed (or current) points say whether the upstream still publishes.
   */
  newestPast: number | null;
  /** Points left out: broken ones and those beyond `max_points_per_run` (null: none). */
  dropped: DroppedPoints | null;
}

/** What a run's check left out, for the source's warning, its log line and `dropped_points`. */
export interface DroppedPoints {
  /** Points that cannot be written; `reason` names the first. */
  broken: number;
  /** Points beyond `max_points_per_run`. */
  excess: number;
  reason: string;
}

/**
 * Checks what a plugin's `fetch` returned and adds the `source` tag. Only the first `maxPoints`
 * points are taken; a broken point (`points[3].fields.value is not a finite number`) is left out
 * and counted, and the rest of the run is kept. A run whose every point is broken is a `DataError`
 * naming the first.
 */
export function normalizeResult(result: unknown, sourceId: string, now = Date.now(), maxPoints = Infinity): NormalizedResult {
  const r: FetchResult = Array.isArray(result) ? { points: result as Point[] } : (result as FetchResult);
  if (!r || typeof r !== 'object' || !Array.isArray(r.points)) {
    throw new DataError('fetch returned neither an array of points nor { points: [...] }');
  }
  let newest: number | null = null;
  let newestPast: number | null = null;
  const input = r.points;
  const taken = Math.min(input.length, maxPoints);
  const points: SourcePoint[] = [];
  let broken = 0;
  let reason = '';
  for (let i = 0; i < taken; i++) {
    const point = input[i];
    if (!isWellFormed(point)) {
      // The wording (which point, which part) is built only for the first broken point.
      if (broken++ === 0) reason = faultOf(point, `points[${i}]`);
      continue;
    }
    const t = point.time.getTime();
    if (newest === null || t > newest) newest = t;
    if (t <= now && (newestPast === null || t > newestPast)) newestPast = t;
    // Object.assign, not spread syntax: the same copy, several times faster here (measured).
    const tags = Object.assign({}, point.tags) as SourcePoint['tags'];
    tags.source = sourceId;
    points.push({ ...point, tags });
  }
  if (broken > 0 && points.length === 0) throw new DataError(reason);
  const excess = input.length - taken;
  if (excess > 0 && !reason) reason = `the run returned ${input.length} points; max_points_per_run is ${maxPoints}`;
  const dropped = broken + excess > 0 ? { broken, excess, reason } : null;
  const errors = Array.isArray(r.errors) ? r.errors : [];
  const warnings = Array.isArray(r.warnings) ? r.warnings.filter((w): w is string => typeof w === 'string') : [];
  if (dropped) warnings.push(`dropped ${broken + excess} of ${input.length} points: ${reason}`);
  const details = r.details && typeof r.details === 'object' ? r.details : {};
  return { points, errors, warnings, details, newest, newestPast, dropped };
}

function isFieldValue(v: unknown): boolean {
  return (
    (typeof v === 'number' && Number.isFinite(v)) ||
    typeof v === 'string' ||
    typeof v === 'boolean' ||
    (isIntField(v) && Number.isFinite(v.int))
  );
}

/** Whether `p` is a point the host can write: checked without copying it or naming its parts. */
function isWellFormed(p: unknown): p is Point {
  if (!p || typeof p !== 'object') return false;
  const point = p as Point;
  if (typeof point.measurement !== 'string' || !point.measurement) return false;
  if (!(point.time instanceof Date) || Number.isNaN(point.time.getTime())) return false;
  const tags = point.tags;
  if (tags !== undefined) {
    if (tags === null) return false;
    for (const k of Object.keys(tags)) if (typeof tags[k] !== 'string') return false;
  }
  const fields = point.fields;
  if (!fields || typeof fields !== 'object') return false;
  let count = 0;
  for (const k of Object.keys(fields)) {
    if (!isFieldValue(fields[k])) return false;
    count++;
  }
  return count > 0;
}

/** Names the first broken part of `p` (which {@link isWellFormed} refused). */
function faultOf(p: unknown, where: string): string {
  if (!p || typeof p !== 'object') return `${where} is not an object`;
  const point = p as Point;
  if (typeof point.measurement !== 'string' || !point.measurement) return `${where}.measurement is not a non-empty string`;
  if (!(point.time instanceof Date) || Number.isNaN(point.time.getTime())) return `${where}.time is not a valid Date`;
  if (point.tags !== undefined && point.tags !== null) {
    for (const [k, v] of Object.entries(point.tags)) if (typeof v !== 'string') return `${where}.tags.${k} is not a string`;
  }
  const fields = point.fields && typeof point.fields === 'object' ? Object.entries(point.fields) : [];
  if (fields.length === 0) return `${where}.fields is empty`;
  for (const [k, v] of fields) if (!isFieldValue(v)) return `${where}.fields.${k} is not a finite number, string, boolean or int()`;
  return `${where} is not a point`;
}

/** Counts what a run left out in `dropped_points`, and says so once for the run. */
export function reportDropped(dropped: DroppedPoints, sourceId: string, sink: { drop?(id: string, n: number, reason: string): void }, logger: Logger): void {
  const points = dropped.broken + dropped.excess;
  sink.drop?.(sourceId, points, dropped.reason);
  logger.warn({ dropped: points, broken: dropped.broken, beyond_max_points_per_run: dropped.excess, reason: dropped.reason }, 'dropped points of the run');
}
