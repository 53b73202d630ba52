/**
 * The `calendar_event` measurement of CONTRACT §4, shared by every calendar plugin: events to
 * points, the window around now, events that went away, and the current and next events.
 */
import { Type, type TInteger } from '@sinclair/typebox';
import type { Point } from './point.js';

/** The measurement of every calendar plugin (CONTRACT §4). */
export const CALENDAR_EVENT = 'calendar_event';

/** One occurrence of an event, as both calendar plugins report it. */
export interface CalendarEvent {
  /** The `event_id` tag: unique per occurrence (`<id>_<yyyyMMdd[THHmmssZ]>` for recurring ones). */
  id: string;
  start: Date;
  /** Exclusive end; equal to `start` for an event without duration. */
  end: Date;
  allDay: boolean;
  /** `confirmed`, `tentative` or `cancelled`. */
  status: string;
  summary?: string;
  location?: string;
}

/** The window a run reports: events that overlap [from, to). */
export interface EventWindow {
  from: Date;
  to: Date;
}

/** The options that set a calendar plugin's window, as {@link eventWindowOptions} declares them. */
export type EventWindowOptions = {
  days_back: number;
  days_ahead: number;
};

/**
 * The JSON Schema of the `days_back` (0–366, default 1) and `days_ahead` (1–366, default 30)
 * options, to spread into a calendar plugin's `options.properties`; pass them to
 * {@link windowAround}. `aheadNote` is added to the description of `days_ahead` (e.g. how far
 * recurring events are expanded).
 */
export function eventWindowOptions(aheadNote?: string): Record<keyof EventWindowOptions, TInteger> {
  const ahead = 'Report events that start within this many days from now';
  return {
    days_back: Type.Integer({
      minimum: 0,
      maximum: 366,
      default: 1,
      description: 'Report events that end less than this many days ago (ongoing ones always count).',
    }),
    days_ahead: Type.Integer({
      minimum: 1,
      maximum: 366,
      default: 30,
      description: aheadNote ? `${ahead}; ${aheadNote}.` : `${ahead}.`,
    }),
  };
}

/** The window `daysBack` days before and `daysAhead` days after `now`. */
export function windowAround(now: Date, daysBack: number, daysAhead: number): EventWindow {
  const day = 86_400_000;
  return { from: new Date(now.getTime() - daysBack * day), to: new Date(now.getTime() + daysAhead * day) };
}

export function overlaps(e: { start: Date; end: Date }, w: EventWindow): boolean {
  // A zero-length event at `from` still counts: it has not ended before the window.
  return e.start < w.to && (e.end > w.from || (e.end.getTime() === e.start.getTime() && e.start >= w.from));
}

/** The `calendar_event` point of an occurrence: time = start, `end` as RFC 3339. */
export function eventPoint(e: CalendarEvent, calendar: string): Point {
  const fields: Point['fields'] = { end: e.end.toISOString(), all_day: e.allDay, status: e.status };
  if (e.summary !== undefined) fields.summary = e.summary;
  if (e.location !== undefined) fields.location = e.location;
  return { measurement: CALENDAR_EVENT, tags: { calendar, event_id: e.id }, fields, time: e.start };
}

/**
 * Remembers what the last run reported, so that an event deleted, cancelled or moved since then
 * gets one last point with status `cancelled` at its old start: InfluxDB keeps the last write of
 * a series and time, so the stale point is replaced instead of lingering as `confirmed`. An event
 * that merely left the window (it ended long ago) is not a deletion and is simply forgotten.
 */
export class RemovedEvents {
  private last = new Map<string, CalendarEvent>();

  /** Tombstones for events gone or moved since the last call; then remembers `current`. */
  since(current: readonly CalendarEvent[], window: EventWindow): CalendarEvent[] {
    const now = new Map(current.map((e) => [e.id, e]));
    const gone: CalendarEvent[] = [];
    for (const [id, old] of this.last) {
      const still = now.get(id);
      if (still && still.start.getTime() === old.start.getTime()) continue;
      if (!still && !overlaps(old, window)) continue;
      gone.push({ ...old, status: 'cancelled' });
    }
    this.last = now;
    return gone;
  }
}

/** An event as `/api/sources/:id/latest` shows it. */
export interface EventView {
  event_id: string;
  calendar: string;
  summary: string | null;
  location: string | null;
  start: string;
  end: string;
  all_day: boolean;
  status: string;
}

/**
 * The answer of `/api/sources/:id/latest`: the events going on at `now` and the next one to
 * start, cancelled ones left out, so an automation can ask "is anyone away now".
 */
export function eventsNow(points: readonly Point[], now: Date): { as_of: string; current: EventView[]; next: EventView | null } {
  const events = points
    .filter((p) => p.measurement === CALENDAR_EVENT && p.fields.status !== 'cancelled')
    .map(toView)
    .sort((a, b) => a.start.localeCompare(b.start) || a.event_id.localeCompare(b.event_id));
  const at = now.toISOString();
  const current = events.filter((e) => e.start <= at && at < e.end);
  const next = events.find((e) => e.start > at) ?? null;
  return { as_of: at, current, next };
}

function toView(p: Point): EventView {
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    event_id: p.tags?.event_id ?? '',
    calendar: p.tags?.calendar ?? '',
    summary: text(p.fields.summary),
    location: text(p.fields.location),
    start: p.time.toISOString(),
    end: text(p.fields.end) ?? p.time.toISOString(),
    all_day: p.fields.all_day === true,
    status: text(p.fields.status) ?? 'confirmed',
  };
}
