import { DataError } from '../../core/plugin-api/index.js';
import type { CalendarEvent } from '../../core/plugin-api/index.js';
import { isRealDate, isTimeZone, parseDate, wallClockToInstant } from '../../core/plugin-api/index.js';

/** An item of `events.list`, as far as this plugin reads it (Calendar API v3). */
export interface GoogleItem {
  id: string;
  status?: string;
  summary?: unknown;
  location?: unknown;
  start?: unknown;
  end?: unknown;
  /** Set on the instances of a recurring event (`singleEvents=true`). */
  recurringEventId?: string;
}

const STATUSES = new Set(['confirmed', 'tentative', 'cancelled']);

/**
 * Checks what the sync needs of an item (an `id`, a known `status`); a cancelled item of an
 * incremental sync may carry nothing else. Throws a `DataError` naming `where`.
 */
export function checkItem(raw: unknown, where: string): GoogleItem {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new DataError(`${where} is not an object`);
  const item = raw as Record<string, unknown>;
  if (typeof item.id !== 'string' || !item.id) throw new DataError(`${where}.id is missing`);
  if (item.status !== undefined && (typeof item.status !== 'string' || !STATUSES.has(item.status))) {
    throw new DataError(`${where}.status ${JSON.stringify(item.status)} is not confirmed, tentative or cancelled`);
  }
  if (item.recurringEventId !== undefined && typeof item.recurringEventId !== 'string') {
    throw new DataError(`${where}.recurringEventId is not a string`);
  }
  return item as unknown as GoogleItem;
}

/**
 * One occurrence from a Google item. All-day dates (`start.date`, end exclusive) begin at
 * midnight in `zone`, the calendar's time zone; times carry their own offset (or name a zone).
 */
export function toCalendarEvent(item: GoogleItem, zone: string): CalendarEvent {
  const where = `event ${item.id}`;
  const start = readTime(item.start, `${where}: start`, zone);
  const end = readTime(item.end, `${where}: end`, zone);
  if (start.allDay !== end.allDay) throw new DataError(`${where}: start and end mix a date and a dateTime`);
  if (end.at < start.at) throw new DataError(`${where}: end ${end.text} is before start ${start.text}`);
  const event: CalendarEvent = { id: item.id, start: start.at, end: end.at, allDay: start.allDay, status: item.status ?? 'confirmed' };
  const summary = optionalText(item.summary, `${where}: summary`);
  const location = optionalText(item.location, `${where}: location`);
  if (summary !== undefined) event.summary = summary;
  if (location !== undefined) event.location = location;
  return event;
}

function optionalText(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new DataError(`${where} is not a string`);
  return value;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?$/i;

function readTime(raw: unknown, where: string, zone: string): { at: Date; allDay: boolean; text: string } {
  if (!raw || typeof raw !== 'object') throw new DataError(`${where} is missing`);
  const t = raw as { date?: unknown; dateTime?: unknown; timeZone?: unknown };
  if (typeof t.date === 'string') {
    const wall = parseDate(t.date);
    if (!wall) throw new DataError(`${where}.date ${JSON.stringify(t.date)} is not a date (YYYY-MM-DD)`);
    return { at: wallClockToInstant(wall, zone), allDay: true, text: t.date };
  }
  if (typeof t.dateTime !== 'string') throw new DataError(`${where} has neither date nor dateTime`);
  const m = RFC3339.exec(t.dateTime);
  const wall = m && { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: Number(m[4]), minute: Number(m[5]), second: Number(m[6]) };
  if (!m || !wall || !isRealDate(wall) || wall.hour > 23 || wall.minute > 59 || wall.second > 60) {
    throw new DataError(`${where}.dateTime ${JSON.stringify(t.dateTime)} is not an RFC 3339 time`);
  }
  if (m[7]) {
    const at = new Date(t.dateTime);
    // The pattern lets an offset like +99:99 through; Date refuses it.
    if (Number.isNaN(at.getTime())) throw new DataError(`${where}.dateTime ${JSON.stringify(t.dateTime)} has no valid UTC offset`);
    return { at, allDay: false, text: t.dateTime };
  }
  // Without an offset the time is read in the event's own zone (the API allows it when one is named).
  const own = typeof t.timeZone === 'string' ? t.timeZone : zone;
  if (!isTimeZone(own)) throw new DataError(`${where}.timeZone ${JSON.stringify(own)} is not a time zone`);
  return { at: wallClockToInstant(wall, own), allDay: false, text: t.dateTime };
}
