/**
 * Checking a JSON answer while reading it, for time series: whatever is not as documented is a
 * DataError saying where (`hourly.time[3] is not a date`), so nothing of that run is written.
 * Reads the two common layouts of time-stamped values: one row (`{ "time": t, "a": 1 }`) and
 * columns (`{ "time": [t0, t1], "a": [1, 2] }`), as Open-Meteo's APIs answer them.
 */
import { DataError } from './errors.js';

/** A JSON object of an answer. */
export type JsonObject = Record<string, unknown>;

/** Values at one instant; null where the upstream has none. */
export interface SeriesRow {
  time: Date;
  values: Record<string, number | null>;
}

/** What to read from a block of time-stamped values. */
export interface SeriesSpec {
  /** The value keys to read; a key the block lacks is left out of the rows. */
  names: readonly string[];
  /** The instant of one `time` entry; undefined when it is not a time (e.g. `localTimeToInstant`). */
  toTime(value: unknown): Date | undefined;
  /** The answer's block of units for this block (e.g. `hourly_units`) and the unit each name must have there. */
  units?: { block: string; expected: Readonly<Record<string, string>> };
}

/** The answer as an object; a DataError (`the answer is not a JSON object`) otherwise. */
export function answerObject(body: unknown): JsonObject {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new DataError('the answer is not a JSON object');
  return body as JsonObject;
}

/** The object at `key`; undefined when absent or null, a DataError when it is something else. */
export function objectAt(answer: JsonObject, key: string): JsonObject | undefined {
  const v = answer[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new DataError(`${key} is not an object`);
  return v as JsonObject;
}

/** A finite number or null; a DataError (`<where> is not a number`) otherwise. */
export function numberOrNull(v: unknown, where: string): number | null {
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new DataError(`${where} is not a number`);
  return v;
}

/** A finite number, else undefined: for descriptive fields that may be missing. */
export function optionalNumber(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function checkUnit(units: JsonObject | undefined, spec: SeriesSpec, name: string): void {
  const unit = units?.[name];
  const expected = spec.units?.expected[name];
  if (typeof unit === 'string' && expected !== undefined && unit !== expected) {
    throw new DataError(`${spec.units!.block}.${name} is ${JSON.stringify(unit)}, expected ${JSON.stringify(expected)}`);
  }
}

/** The row at `key` (`{ "time": t, "a": 1, … }`), undefined when the answer has none. */
export function readRowBlock(answer: JsonObject, key: string, spec: SeriesSpec): SeriesRow | undefined {
  const block = objectAt(answer, key);
  if (!block) return undefined;
  const time = spec.toTime(block.time);
  if (!time) throw new DataError(`${key}.time is not a date`);
  const units = spec.units && objectAt(answer, spec.units.block);
  const values: Record<string, number | null> = {};
  for (const name of spec.names) {
    if (block[name] === undefined) continue;
    checkUnit(units, spec, name);
    values[name] = numberOrNull(block[name], `${key}.${name}`);
  }
  return { time, values };
}

/** The rows of the columns at `key` (`{ "time": [t0, …], "a": [1, …] }`), none when the answer has none. */
export function readColumnBlock(answer: JsonObject, key: string, spec: SeriesSpec): SeriesRow[] {
  const block = objectAt(answer, key);
  if (!block) return [];
  if (!Array.isArray(block.time)) throw new DataError(`${key}.time is not a list`);
  const rows: SeriesRow[] = block.time.map((t, i) => {
    const time = spec.toTime(t);
    if (!time) throw new DataError(`${key}.time[${i}] is not a date`);
    return { time, values: {} };
  });
  const units = spec.units && objectAt(answer, spec.units.block);
  for (const name of spec.names) {
    const list = block[name];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new DataError(`${key}.${name} is not a list`);
    if (list.length !== rows.length) throw new DataError(`${key}.${name} has ${list.length} values for ${rows.length} times`);
    checkUnit(units, spec, name);
    list.forEach((value, i) => (rows[i]!.values[name] = numberOrNull(value, `${key}.${name}[${i}]`)));
  }
  return rows;
}
