import { DataError } from '../plugin-api/errors.js';
import { isIntField, type SourcePoint } from '../plugin-api/point.js';

/** Timestamp precision of a line (InfluxDB's `precision` write parameter). */
export type Precision = 'ns' | 'us' | 'ms' | 's';

/** A date as a line's timestamp; JavaScript dates carry milliseconds, so `us` and `ns` pad with zeros. */
const TIME: Record<Precision, (t: Date) => string> = {
  s: (t) => String(Math.floor(t.getTime() / 1000)),
  ms: (t) => String(t.getTime()),
  us: (t) => `${t.getTime()}000`,
  ns: (t) => (t.getTime() === 0 ? '0' : `${t.getTime()}000000`),
};

// Line protocol's escapes (as InfluxDB's JavaScript client writes them). Most names need none:
// the test keeps the common case free of allocation.
const MEASUREMENT_SPECIAL = /[, \n\r\t]/;
const NAME_SPECIAL = /[, =\n\r\t]/;
const NAME_SPECIAL_ALL = /[, =\n\r\t]/g;
const QUOTED_SPECIAL_ALL = /["\\]/g;
const ESCAPES: Record<string, string> = { ',': '\\,', ' ': '\\ ', '=': '\\=', '\n': '\\n', '\r': '\\r', '\t': '\\t', '"': '\\"', '\\': '\\\\' };
const escapeChar = (c: string) => ESCAPES[c]!;

function escapeMeasurement(name: string): string {
  return MEASUREMENT_SPECIAL.test(name) ? name.replace(/[, \n\r\t]/g, escapeChar) : name;
}

/** A tag key, tag value or field key. */
function escapeName(name: string): string {
  return NAME_SPECIAL.test(name) ? name.replace(NAME_SPECIAL_ALL, escapeChar) : name;
}

/**
 * A trailing backslash would escape the separator that follows it: the line protocol has no way
 * to write one in a measurement, tag key, tag value or field key.
 */
function checkName(what: string, text: string, key?: string): void {
  if (text.endsWith('\\')) {
    throw new DataError(`${what}${key === undefined ? '' : ` ${key}`} ${JSON.stringify(text)} ends with a backslash, which line protocol cannot carry`);
  }
}

function fieldText(measurement: string, name: string, value: unknown): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new DataError(`point of ${measurement} cannot be written: invalid float value for field '${name}': ${value}`);
    return String(value);
  }
  if (isIntField(value)) {
    const v = value.int;
    if (Number.isNaN(v) || v <= -9223372036854776e3 || v >= 9223372036854776e3) {
      throw new DataError(`point of ${measurement} cannot be written: invalid integer value for field '${name}': '${v}'!`);
    }
    return `${Math.floor(v)}i`;
  }
  if (typeof value === 'boolean') return value ? 'T' : 'F';
  if (typeof value === 'string') return `"${value.replace(QUOTED_SPECIAL_ALL, escapeChar)}"`;
  throw new DataError(`field ${name} has an unsupported value type`);
}

/** `,key=value` for every tag, keys sorted; an empty value is left out (InfluxDB reads a missing tag as empty). */
function tagsText(tags: Record<string, string> | undefined): string {
  if (tags === undefined) return '';
  let text = '';
  for (const key of Object.keys(tags).sort()) {
    const value = tags[key]!;
    if (key === '' || value === '') continue;
    checkName('tag key', key);
    checkName('tag', value, key);
    text += `,${escapeName(key)}=${escapeName(value)}`;
  }
  return text;
}

/** `key=value,...` for every field, keys sorted. */
function fieldsText(p: SourcePoint): string {
  let text = '';
  for (const name of Object.keys(p.fields).sort()) {
    checkName('field key', name);
    const value = fieldText(p.measurement, name, p.fields[name]);
    if (name === '') continue;
    text += `${text === '' ? '' : ','}${escapeName(name)}=${value}`;
  }
  return text;
}

/**
 * One point as a line of InfluxDB line protocol: the bytes InfluxDB's JavaScript client writes
 * for it (tags and fields sorted by key, its escaping of spaces, commas, equals signs and quotes),
 * built directly (this runs for every point written; the client's `Point` cost about as much as
 * the rest of the write path). Throws a DataError for a point that cannot be written: no field,
 * a NaN or infinite float, an invalid time, a name ending with a backslash.
 */
export function pointToLine(p: SourcePoint, precision: Precision = 'ns'): string {
  if (!(p.time instanceof Date) || Number.isNaN(p.time.getTime())) {
    throw new DataError(`point of ${p.measurement} has no valid time`);
  }
  if (!p.measurement) throw new DataError(`point of ${p.measurement} cannot be written`);
  checkName('measurement', p.measurement);
  const tags = tagsText(p.tags);
  const fields = fieldsText(p);
  if (fields === '') throw new DataError(`point of ${p.measurement} has no field`);
  return `${escapeMeasurement(p.measurement)}${tags} ${fields} ${TIME[precision](p.time)}`;
}

/**
 * The points as line protocol, one line per point, `\n`-joined, nanosecond timestamps (the default
 * of `influx write`). A point that cannot be written becomes a `#` comment line saying why, which
 * `influx write` skips.
 */
export function toLineProtocol(points: readonly SourcePoint[], precision: Precision = 'ns'): string {
  return points
    .map((p) => {
      try {
        return pointToLine(p, precision);
      } catch (err) {
        return `# skipped: ${(err as Error).message.replace(/[\r\n]+/g, ' ')}`;
      }
    })
    .join('\n');
}

/** The timestamp at the end of a line, in milliseconds, or undefined when it has none. */
export function lineTimeMs(line: string, precision: Precision): number | undefined {
  const raw = line.slice(line.lastIndexOf(' ') + 1);
  if (!/^-?\d+$/.test(raw)) return undefined;
  const digits = { s: -3, ms: 0, us: 3, ns: 6 }[precision];
  if (digits <= 0) return Number(raw) * 10 ** -digits;
  // Drop the sub-millisecond digits as text: nanosecond times do not fit a double exactly.
  const ms = raw.length > digits ? raw.slice(0, raw.length - digits) : '0';
  return Number(ms === '-' ? '0' : ms);
}
