import { DataError, type ItemError, type RunContext } from '../../core/plugin-api/index.js';
import { overlaps, type CalendarEvent, type EventWindow } from '../../core/plugin-api/index.js';
import { checkItem, toCalendarEvent, type GoogleItem } from './event-mapping.js';
import { listAllEvents, SyncTokenExpired } from './events-api.js';
import { isTimeZone } from '../../core/plugin-api/index.js';

/** How a run got its events: a full sync, a sync-token delta, or a full resync after a 410. */
export type SyncMode = 'full' | 'incremental' | 'resync';

const DAY = 86_400_000;
// Large pages keep a full sync to one or two requests (the API allows up to 2500).
const PAGE_SIZE = '1000';

/**
 * One calendar's events, kept in step with Google the way its sync guide describes: a full
 * `events.list` over the window (recurring events expanded with `singleEvents=true`, every page),
 * then incremental syncs with the `nextSyncToken` of the last page; a 410 discards everything
 * and syncs in full again. The full sync reaches a day past the window, and is redone when the
 * window slides past that, so an event that was too far ahead at the last full sync still shows.
 * State lives in memory: a restart begins with a full sync.
 */
export class EventSync {
  private items = new Map<string, GoogleItem>();
  private syncToken: string | undefined;
  private coveredUntil = 0;
  /** The calendar's own time zone, from the API's answer. */
  timeZone: string | undefined;

  constructor(private readonly calendarId: string) {}

  /** Brings the events up to date for `window`. */
  async sync(ctx: RunContext<unknown>, window: EventWindow): Promise<SyncMode> {
    if (this.syncToken !== undefined && window.to.getTime() <= this.coveredUntil) {
      try {
        await this.incremental(ctx, this.syncToken);
        return 'incremental';
      } catch (err) {
        if (!(err instanceof SyncTokenExpired)) throw err;
        ctx.logger.info({ reason: err.reason }, 'sync token no longer valid: full resync');
        this.items = new Map();
        this.syncToken = undefined;
        await this.full(ctx, window);
        return 'resync';
      }
    }
    await this.full(ctx, window);
    return 'full';
  }

  /**
   * The occurrences that overlap `window`, cancelled ones left out; an event whose times cannot
   * be read is an item error and the others go on. Events that ended before the window are
   * forgotten. All-day dates begin at midnight in `zone`.
   */
  report(window: EventWindow, zone: string): { events: CalendarEvent[]; errors: ItemError[] } {
    const events: CalendarEvent[] = [];
    const errors: ItemError[] = [];
    for (const [id, item] of this.items) {
      let event: CalendarEvent;
      try {
        event = toCalendarEvent(item, zone);
      } catch (err) {
        errors.push({ item: `event ${id}`, error: err as Error });
        continue;
      }
      if (event.end < window.from) this.items.delete(id);
      else if (event.status !== 'cancelled' && overlaps(event, window)) events.push(event);
    }
    events.sort((a, b) => a.start.getTime() - b.start.getTime() || a.id.localeCompare(b.id));
    return { events, errors };
  }

  private async full(ctx: RunContext<unknown>, window: EventWindow): Promise<void> {
    const until = new Date(window.to.getTime() + DAY);
    const list = await listAllEvents(ctx, this.calendarId, {
      singleEvents: 'true',
      timeMin: window.from.toISOString(),
      timeMax: until.toISOString(),
      maxResults: PAGE_SIZE,
    });
    const items = new Map<string, GoogleItem>();
    for (const { raw, where } of list.items) {
      const item = checkItem(raw, where);
      if (item.status !== 'cancelled') items.set(item.id, item);
    }
    this.adopt(list.timeZone);
    // Swapped in only once every page arrived: a failed full sync leaves the last good state.
    this.items = items;
    this.syncToken = list.nextSyncToken;
    this.coveredUntil = until.getTime();
  }

  private async incremental(ctx: RunContext<unknown>, syncToken: string): Promise<void> {
    // The same singleEvents choice as the full sync; the API refuses timeMin/timeMax with a token.
    const list = await listAllEvents(ctx, this.calendarId, { singleEvents: 'true', syncToken, maxResults: PAGE_SIZE });
    const items = new Map(this.items);
    for (const { raw, where } of list.items) {
      const item = checkItem(raw, where);
      if (item.status !== 'cancelled') {
        items.set(item.id, item);
        continue;
      }
      items.delete(item.id);
      // A deleted recurring event arrives as its series id: its instances go with it.
      for (const [id, other] of items) if (other.recurringEventId === item.id) items.delete(id);
    }
    this.adopt(list.timeZone);
    this.items = items;
    this.syncToken = list.nextSyncToken;
  }

  private adopt(timeZone: string | undefined): void {
    if (timeZone === undefined) return;
    if (!isTimeZone(timeZone)) throw new DataError(`events.list: timeZone ${JSON.stringify(timeZone)} is not a time zone`);
    this.timeZone = timeZone;
  }
}
