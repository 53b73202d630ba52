/**
 * Calendar days and wall clocks in a time zone, as UTC instants, with the platform's time-zone data
 * (Intl): a day across a daylight-saving change lasts 23 or 25 hours. For plugins whose upstream
 * speaks local time (prices by delivery day, forecasts without an offset).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** How far `zone`'s wall clock is ahead of UTC at `instant` (ms); CET gives 3 600 000. */
export function zoneOffsetMs(zone: string, instant: number): number {
  const parts = formatter(zone).formatToParts(new Date(instant));
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(instant / 1000) * 1000;
}

/** The instant at which the local day `days` after the one holding `instant` begins in `zone`. */
export function startOfZonedDay(zone: string, instant: number, days = 0): Date {
  const local = new Date(instant + zoneOffsetMs(zone, instant));
  const midnight = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + days);
  // Two steps: the offset at local midnight may differ from the offset at the first guess.
  const guess = midnight - zoneOffsetMs(zone, midnight);
  return new Date(midnight - zoneOffsetMs(zone, guess));
}

/** The wall-clock time in `zone` at `instant`, in minutes after midnight (13:30 gives 810). */
export function zonedMinuteOfDay(zone: string, instant: number): number {
  const wall = instant + zoneOffsetMs(zone, instant);
  return Math.floor((((wall % 86_400_000) + 86_400_000) % 86_400_000) / 60_000);
}

/** The local date (`YYYY-MM-DD`) in `zone` at `instant`. */
export function zonedDate(zone: string, instant: number): string {
  return new Date(instant + zoneOffsetMs(zone, instant)).toISOString().slice(0, 10);
}

/** A date and time as a clock on the wall shows it; months are 1–12. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour?: number;
  minute?: number;
  second?: number;
}

/** Whether the runtime knows `zone` (e.g. `Europe/Berlin`). */
export function isTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}


/**
 * The instant at which the clocks of `zone` show `wall`. A time inside a spring-forward gap
 * lands after the gap; an ambiguous autumn time takes its first occurrence.
 */
export function wallClockToInstant(wall: WallClock, zone: string): Date {
  const local = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour ?? 0, wall.minute ?? 0, wall.second ?? 0);
  const first = local - zoneOffsetMs(zone, local);
  return new Date(local - zoneOffsetMs(zone, first));
}

/** `YYYY-MM-DD` as a wall clock at midnight, or undefined when it is not a real date. */
export function parseDate(text: string): WallClock | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const wall = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  return isRealDate(wall) ? wall : undefined;
}

/** Whether the year, month and day name a day of the calendar (no 31 April, no month 13). */
export function isRealDate(w: WallClock): boolean {
  if (w.month < 1 || w.month > 12 || w.day < 1) return false;
  return w.day <= new Date(Date.UTC(w.year, w.month, 0)).getUTCDate();
}
