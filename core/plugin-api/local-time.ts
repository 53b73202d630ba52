/**
 * Local times written without an offset, for upstreams that give ONE UTC offset for a whole answer
 * (Open-Meteo's `utc_offset_seconds` is the best known). For upstreams that name a time zone
 * instead, see zoned-time.ts.
 */
import { DataError } from './errors.js';

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * The instant of a local time without offset (`2026-10-25T02:00`, seconds optional) in an answer
 * whose times all share one `utcOffsetSeconds`. Such an offset is the one valid when the answer
 * was made, applied to every time of it with no daylight-saving switch inside the series (as
 * Open-Meteo does: open-meteo/open-meteo#488, #1255); subtracting it is therefore exact for
 * every time of the answer, also past a DST change, where a zone database would be off by an hour.
 * A number is taken as Unix seconds, already UTC. Returns undefined for anything else, and for a
 * time that is not on the calendar (`2026-02-30T10:00`, `25:00`) or beyond what a Date can hold.
 * Never throws.
 */
export function localTimeToInstant(value: unknown, utcOffsetSeconds: number): Date | undefined {
  if (typeof value === 'number') return validDate(value * 1000);
  if (typeof value !== 'string') return undefined;
  const m = LOCAL.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
  const local = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Date.UTC rolls 2026-02-30 or 25:00 over; a real time comes back unchanged.
  const real =
    local.getUTCFullYear() === y && local.getUTCMonth() === mo - 1 && local.getUTCDate() === d && local.getUTCHours() === h && local.getUTCMinutes() === mi;
  return real ? validDate(local.getTime() - utcOffsetSeconds * 1000) : undefined;
}

/** A Date for `ms`, or undefined when it is not a time a Date can hold (NaN, Infinity, past ±8.64e15). */
function validDate(ms: number): Date | undefined {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * The UTC offset, in whole seconds, that an answer gives at `key` (e.g. `utc_offset_seconds`).
 * Throws a DataError (`utc_offset_seconds is missing or not a whole number`) otherwise.
 */
export function readUtcOffset(answer: Readonly<Record<string, unknown>>, key: string): number {
  const offset = answer[key];
  if (typeof offset !== 'number' || !Number.isInteger(offset)) throw new DataError(`${key} is missing or not a whole number`);
  return offset;
}
