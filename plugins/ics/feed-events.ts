import ical, { type DateWithTimeZone, type EventInstance, type ParameterValue, type VEvent } from 'node-ical';
import { DataError, type ItemError } from '../../core/plugin-api/index.js';
import { overlaps, type CalendarEvent, type EventWindow } from '../../core/plugin-api/index.js';
import { checkFeed } from './feed-check.js';
import { isTimeZone, wallClockToInstant } from '../../core/plugin-api/index.js';

/** What one feed says about a window. */
export interface FeedEvents {
  events: CalendarEvent[];
  errors: ItemError[];
  warnings: string[];
  /** X-WR-CALNAME, where the feed names itself. */
  calendarName: string | undefined;
  /** The zone used for all-day events and floating times. */
  timeZone: string;
}

const DAY = 86_400_000;
// An RRULE may be unbounded (FREQ=MINUTELY); a household calendar never needs more in one window.
const MAX_OCCURRENCES = 2000;
// Occurrences walked from DTSTART to the window's end, at most (a fraction of a second).
const MAX_STEPS = 100_000;
const STEP_MS: Record<string, number> = { SECONDLY: 1000, MINUTELY: 60_000, HOURLY: 3_600_000 };

/**
 * Parses a feed (node-ical) and expands every event over `window`: recurring rules with their
 * EXDATEs and RECURRENCE-ID overrides, in the events' own zones, so daylight-saving changes
 * fall where they should. All-day dates and floating times are read in `zone` (the option), else
 * the feed's X-WR-TIMEZONE, else UTC, and never in the host's own zone.
 */
export function feedEvents(raw: string, window: EventWindow, zoneOption: string | undefined): FeedEvents {
  const checked = checkFeed(raw);
  let data: ical.CalendarResponse;
  const warnings: string[] = [];
  try {
    data = parserWarningsInto(warnings, () => ical.sync.parseICS(checked.text));
  } catch (err) {
    throw new DataError(`the feed could not be parsed: ${(err as Error).message}`, { cause: err });
  }
  const feedZone = data.vcalendar?.['WR-TIMEZONE'];
  const zone = zoneOption ?? (feedZone && isTimeZone(feedZone) ? feedZone : 'UTC');
  const out: FeedEvents = { events: [], errors: checked.errors, warnings, calendarName: data.vcalendar?.['WR-CALNAME'], timeZone: zone };
  for (const entry of Object.values(data)) {
    if (!entry || entry.type !== 'VEVENT') continue;
    const event = entry as VEvent;
    // A component without UID got a random key from the parser; the checks reported it already.
    if (!event.uid) continue;
    if (typeof event.uid !== 'string') {
      out.errors.push({ item: 'event', error: new DataError(`an event's UID is not one text (${JSON.stringify(event.uid)})`) });
      continue;
    }
    try {
      out.events.push(...occurrences(event, window, zone, out.warnings));
    } catch (err) {
      const error = err instanceof DataError ? err : new DataError(`event ${event.uid}: ${(err as Error).message}`, { cause: err });
      out.errors.push({ item: `event ${event.uid}`, error });
    }
  }
  out.events.sort((a, b) => a.start.getTime() - b.start.getTime() || a.id.localeCompare(b.id));
  return out;
}

/**
 * Runs a synchronous node-ical call, turning the warnings it writes with `console.warn` (a
 * malformed DURATION, an unknown TZID: "[node-ical] …") into the run's warnings, shown in
 * `/health` and logged by the host once, instead of lines on stderr past the host's logger.
 * Anything else written meanwhile goes to the real console.warn.
 */
function parserWarningsInto<T>(warnings: string[], call: () => T): T {
  const original = console.warn;
  console.warn = (...args: unknown[]) => {
    const text = args.map(String).join(' ');
    if (!text.startsWith('[node-ical]')) return original.apply(console, args);
    const warning = `calendar parser: ${text.slice('[node-ical]'.length).trim()}`;
    if (!warnings.includes(warning)) warnings.push(warning);
  };
  try {
    return call();
  } finally {
    console.warn = original;
  }
}

function occurrences(event: VEvent, window: EventWindow, zone: string, warnings: string[]): CalendarEvent[] {
  // A day either side: node-ical compares all-day dates in the host's zone; the exact cut is ours.
  const from = new Date(window.from.getTime() - DAY);
  const to = new Date(window.to.getTime() + DAY);
  checkExpansionCost(event, to);
  const out: CalendarEvent[] = [];
  const instances = parserWarningsInto(warnings, () => ical.expandRecurringEvent(event, { from, to, expandOngoing: true }));
  for (const instance of instances) {
    const e = toCalendarEvent(event, instance, zone);
    if (e && overlaps(e, window)) out.push(e);
  }
  if (out.length <= MAX_OCCURRENCES) return out;
  warnings.push(`event ${event.uid} repeats more than ${MAX_OCCURRENCES} times in the window: only the first ${MAX_OCCURRENCES} are reported`);
  return out.slice(0, MAX_OCCURRENCES);
}

/**
 * The rule library walks every occurrence from DTSTART on, whatever the window (about 300 000 a
 * second here): a rule repeating every few seconds or minutes for years would stall the host,
 * so such an event is refused as an item error before it is expanded.
 */
function checkExpansionCost(event: VEvent, until: Date): void {
  const rule = event.rrule?.options as { freq?: unknown; interval?: unknown; count?: unknown } | undefined;
  const unit = STEP_MS[String(rule?.freq)];
  if (!rule || unit === undefined) return;
  const step = unit * (Number(rule.interval) || 1);
  const steps = Math.min((until.getTime() - event.start.getTime()) / step, Number(rule.count) || Infinity);
  if (steps > MAX_STEPS) {
    throw new DataError(`event ${event.uid}: its RRULE (${String(rule.freq)}) has more than ${MAX_STEPS} occurrences since ${event.start.toISOString()}: not expanded`);
  }
}

function toCalendarEvent(base: VEvent, instance: EventInstance, zone: string): CalendarEvent | undefined {
  const own = instance.event;
  const status = (typeof own.status === 'string' ? own.status : base.status ?? 'CONFIRMED').toLowerCase();
  if (status === 'cancelled') return undefined;
  const allDay = instance.isFullDay;
  const start = instant(instance.start, allDay, zone);
  const end = instant(instance.end, allDay, zone);
  if (end < start) throw new DataError(`event ${base.uid}: DTEND ${end.toISOString()} is before DTSTART ${start.toISOString()}`);
  const original = own.recurrenceid ?? (instance.isRecurring ? instance.start : undefined);
  const id = original ? `${base.uid}_${occurrenceKey(original, allDay)}` : base.uid;
  const e: CalendarEvent = { id, start, end, allDay, status };
  const summary = text(instance.summary) ?? text(own.summary);
  const location = text(own.location as ParameterValue | undefined) ?? text(base.location);
  if (summary !== undefined) e.summary = summary;
  if (location !== undefined) e.location = location;
  return e;
}

/**
 * The parser gives all-day dates and floating times (no TZID, no Z) as the host's local
 * midnight or clock time: the wall clock is read back and placed in the calendar's zone.
 */
function instant(d: DateWithTimeZone, allDay: boolean, zone: string): Date {
  const floating = allDay || (d.tz === undefined && !d.dateOnly);
  if (!floating) return new Date(d.getTime());
  const wall = { year: d.getFullYear(), month: d.getMonth() + 1, day: d.getDate() };
  return wallClockToInstant(allDay ? wall : { ...wall, hour: d.getHours(), minute: d.getMinutes(), second: d.getSeconds() }, zone);
}

/** Google's instance-id style: `yyyyMMdd` for a date, `yyyyMMddTHHmmssZ` for a time (UTC). */
function occurrenceKey(d: DateWithTimeZone, allDay: boolean): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  if (allDay || d.dateOnly) return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}`;
  if (d.tz === undefined) {
    return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}T${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
  }
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function text(v: ParameterValue | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  const s = typeof v === 'string' ? v : v.val;
  return typeof s === 'string' ? s : undefined;
}
