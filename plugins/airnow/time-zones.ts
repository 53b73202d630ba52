/**
 * AirNow names the local time of an observation with a US time-zone abbreviation (`CDT`, `EST`,
 * `AKST`…). The abbreviation already says whether daylight saving time applied, so the offset is
 * fixed by it: no zone database is needed, and the repeated hour of the autumn change is told
 * apart (01:00 CDT and 01:00 CST are an hour apart).
 */
const UTC_OFFSET_HOURS: Readonly<Record<string, number>> = {
  SST: -11, // American Samoa
  HST: -10,
  HDT: -9,
  AKST: -9,
  AKDT: -8,
  PST: -8,
  PDT: -7,
  MST: -7,
  MDT: -6,
  CST: -6,
  CDT: -5,
  EST: -5,
  EDT: -4,
  AST: -4, // Puerto Rico, US Virgin Islands
  ADT: -3,
  CHST: 10, // Guam
  UTC: 0,
  GMT: 0,
};

/** The UTC offset in hours of a US time-zone abbreviation, or undefined for an unknown one. */
export function utcOffsetHours(abbreviation: string): number | undefined {
  return UTC_OFFSET_HOURS[abbreviation.trim().toUpperCase()];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Milliseconds of midnight UTC of a `YYYY-MM-DD` date, or undefined when it is not a real date. */
export function utcMidnight(date: string): number | undefined {
  const m = DATE.exec(date);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  // Date.UTC rolls 2026-02-30 over to March; a real date comes back unchanged.
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d ? ms : undefined;
}

/** The instant of `hour`:00 local time on `date` in the zone named by `abbreviation`. */
export function localHourInstant(date: string, hour: number, abbreviation: string): Date | undefined {
  const midnight = utcMidnight(date);
  const offset = utcOffsetHours(abbreviation);
  if (midnight === undefined || offset === undefined) return undefined;
  return new Date(midnight + (hour - offset) * 3_600_000);
}
