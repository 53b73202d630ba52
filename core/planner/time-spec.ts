import { parseDuration } from '../plugin-api/duration.js';
import { wallClockToInstant, zonedDate } from '../plugin-api/zoned-time.js';
import { STEP_MS } from './signal.js';

/**
 * The forms a deadline or `not_before` takes (CONTRACT §8): a clock time `HH:MM` in the planner's
 * time zone, an ISO 8601 date and time (without an offset: in the time zone), or a duration from
 * now (`12h`). Pure: the clock comes in as `now`.
 */
export type TimeSpec = { clock: { hour: number; minute: number } } | { at: number } | { after: number };

const CLOCK = /^([01]?\d|2[0-3]):([0-5]\d)$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const LOCAL_ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** What is wrong with a time spec, in words for a message naming the key. */
export const TIME_SPEC_EXPECTED = 'expected a clock time like "07:00", an ISO 8601 time like "2026-12-06T07:00:00Z", or a duration like "12h"';

/** Parses a time spec; undefined when the text is none of the forms. */
export function parseTimeSpec(text: string, zone: string): TimeSpec | undefined {
  const s = text.trim();
  const clock = CLOCK.exec(s);
  if (clock) return { clock: { hour: Number(clock[1]), minute: Number(clock[2]) } };
  if (ISO.test(s)) {
    const local = LOCAL_ISO.exec(s);
    const at = local
      ? wallClockToInstant({ year: +local[1]!, month: +local[2]!, day: +local[3]!, hour: +local[4]!, minute: +local[5]!, second: +(local[6] ?? 0) }, zone).getTime()
      : Date.parse(s);
    return Number.isFinite(at) ? { at } : undefined;
  }
  const ms = /^\d+(\.\d+)?$/.test(s) ? undefined : parseDuration(s);
  return ms !== undefined && ms > 0 ? { after: ms } : undefined;
}

/** The instant a clock time next shows in `zone` strictly after `from`. */
export function nextClock(clock: { hour: number; minute: number }, zone: string, from: number): number {
  const [year, month, day] = zonedDate(zone, from).split('-').map(Number) as [number, number, number];
  for (let days = 0; days < 3; days++) {
    const at = wallClockToInstant({ year, month, day: day + days, hour: clock.hour, minute: clock.minute }, zone).getTime();
    if (at > from) return at;
  }
  throw new Error('unreachable: a clock time shows within two days');
}

/** The deadline's instant: a clock time is its next occurrence after now. */
export function resolveDeadline(spec: TimeSpec, zone: string, now: number): number {
  if ('at' in spec) return spec.at;
  if ('after' in spec) return now + spec.after;
  return nextClock(spec.clock, zone, now);
}

/**
 * `not_before`'s instant. A clock time belongs to the night before the deadline: the last time
 * the clock shows before the deadline ("22:00" with deadline "07:00" is the evening before);
 * without a deadline, its next occurrence from now on.
 */
export function resolveNotBefore(spec: TimeSpec, zone: string, now: number, deadline: number | undefined): number {
  if (!('clock' in spec)) return resolveDeadline(spec, zone, now);
  if (deadline === undefined) return nextClock(spec.clock, zone, now - 1);
  const next = nextClock(spec.clock, zone, deadline - 36 * 3_600_000);
  const after = nextClock(spec.clock, zone, next);
  return after < deadline ? after : next;
}

/** A load's duration in ms, or why it cannot be one: a positive multiple of 5 minutes. */
export function parseLoadDuration(text: string): number | string {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) return 'expected a duration like "2h" or "90m"';
  if (ms % STEP_MS !== 0) return 'must be a multiple of 5 minutes (the planner plans on a 5-minute grid)';
  if (ms > 7 * 86_400_000) return 'must be at most 7d';
  return ms;
}
