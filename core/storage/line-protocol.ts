import { Point } from '@influxdata/influxdb-client';
import { DataError } from '../plugin-api/errors.js';
import { isIntField, type SourcePoint } from '../plugin-api/point.js';

/** Timestamp precision of a line (InfluxDB's `precision` write parameter). */
export type Precision = 'ns' | 'us' | 'ms' | 's';

/**
 * Point settings per precision, prepared once (this runs for every point written). JavaScript
 * dates carry milliseconds, so `us` and `ns` pad with zeros.
 */
const SETTINGS: Record<Precision, { convertTime: (t: unknown) => string }> = {
  s: { convertTime: (t) => String(Math.floor((t as Date).getTime() / 1000)) },
  ms: { convertTime: (t) => String((t as Date).getTime()) },
  us: { convertTime: (t) => `${(t as Date).getTime()}000` },
  ns: { convertTime: (t) => ((t as Date).getTime() === 0 ? '0' : `${(t as Date).getTime()}000000`) },
};

/**
 * A trailing backslash would escape the separator that follows it: the line protocol has no way
 * to write one in a measurement, tag key, tag value or field key.
 */
function checkName(what: string, text: string, key?: string): void {
  if (text.endsWith('\\')) {
    throw new DataError(`${what}${key === undefined ? '' : ` ${key}`} ${JSON.stringify(text)} ends with a backslash, which line protocol cannot carry`);
  }
}

function toClientPoint(p: SourcePoint): Point {
  checkName('measurement', p.measurement);
  const point = new Point(p.measurement);
  // for-in, not Object.entries: this runs for every point, and garbage is what limits throughput.
  // The client's Point sorts tags and fields itself.
  for (const key in p.tags) {
    const value = p.tags[key]!;
    // An empty tag value is not representable; InfluxDB treats a missing tag as empty anyway.
    if (value === '') continue;
    checkName('tag key', key);
    checkName('tag', value, key);
    point.tag(key, value);
  }
  let fields = 0;
  for (const name in p.fields) {
    const value = p.fields[name]!;
    checkName('field key', name);
    if (isIntField(value)) point.intField(name, value.int);
    else if (typeof value === 'number') point.floatField(name, value);
    else if (typeof value === 'boolean') point.booleanField(name, value);
    else if (typeof value === 'string') point.stringField(name, value);
    else throw new DataError(`field ${name} has an unsupported value type`);
    fields += 1;
  }
  if (fields === 0) throw new DataError(`point of ${p.measurement} has no field`);
  return point.timestamp(p.time);
}

/**
 * One point as a line of InfluxDB line protocol, through the client's `Point` (its escaping of
 * spaces, commas, equals signs and quotes). Throws a DataError for a point that cannot be written:
 * no field, a NaN or infinite float, an invalid time, a name ending with a backslash.
 */
export function pointToLine(p: SourcePoint, precision: Precision = 'ns'): string {
  if (!(p.time instanceof Date) || Number.isNaN(p.time.getTime())) {
    throw new DataError(`point of ${p.measurement} has no valid time`);
  }
  let line: string | undefined;
  try {
    line = toClientPoint(p).toLineProtocol(SETTINGS[precision]);
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`point of ${p.measurement} cannot be written: ${(err as Error).message}`, { cause: err });
  }
  if (line === undefined) throw new DataError(`point of ${p.measurement} cannot be written`);
  return line;
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
