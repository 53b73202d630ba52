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
}

/**
 * Checks what a plugin's `fetch` returned and adds the `source` tag. A broken point is a
 * `DataError` naming it (`points[3].fields.value is not a finite number`), and nothing of the run
 * is written.
 */
export function normalizeResult(result: unknown, sourceId: string, now = Date.now()): NormalizedResult {
  const r: FetchResult = Array.isArray(result) ? { points: result as Point[] } : (result as FetchResult);
  if (!r || typeof r !== 'object' || !Array.isArray(r.points)) {
    throw new DataError('fetch returned neither an array of points nor { points: [...] }');
  }
  let newest: number | null = null;
  let newestPast: number | null = null;
  const input = r.points;
  const points: SourcePoint[] = new Array(input.length);
  for (let i = 0; i < input.length; i++) {
    const point = input[i];
    // The error's wording (which point, which part) is built only once a point is found broken.
    if (!isWellFormed(point)) describeFault(point, `points[${i}]`);
    const t = point.time.getTime();
    if (newest === null || t > newest) newest = t;
    if (t <= now && (newestPast === null || t > newestPast)) newestPast = t;
    // Object.assign, not spread syntax: the same copy, several times faster here (measured).
    const tags = Object.assign({}, point.tags) as SourcePoint['tags'];
    tags.source = sourceId;
    points[i] = { ...point, tags };
  }
  const errors = Array.isArray(r.errors) ? r.errors : [];
  const warnings = Array.isArray(r.warnings) ? r.warnings.filter((w): w is string => typeof w === 'string') : [];
  const details = r.details && typeof r.details === 'object' ? r.details : {};
  return { points, errors, warnings, details, newest, newestPast };
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

/** Throws the `DataError` naming the first broken part of `p` (which {@link isWellFormed} refused). */
function describeFault(p: unknown, where: string): never {
  if (!p || typeof p !== 'object') throw new DataError(`${where} is not an object`);
  const point = p as Point;
  if (typeof point.measurement !== 'string' || !point.measurement) throw new DataError(`${where}.measurement is not a non-empty string`);
  if (!(point.time instanceof Date) || Number.isNaN(point.time.getTime())) throw new DataError(`${where}.time is not a valid Date`);
  if (point.tags !== undefined) {
    for (const [k, v] of Object.entries(point.tags)) {
      if (typeof v !== 'string') throw new DataError(`${where}.tags.${k} is not a string`);
    }
  }
  const fields = point.fields && typeof point.fields === 'object' ? Object.entries(point.fields) : [];
  if (fields.length === 0) throw new DataError(`${where}.fields is empty`);
  for (const [k, v] of fields) {
    if (!isFieldValue(v)) throw new DataError(`${where}.fields.${k} is not a finite number, string, boolean or int()`);
  }
  throw new DataError(`${where} is not a point`);
}
