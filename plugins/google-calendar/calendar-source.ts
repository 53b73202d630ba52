import { ConfigError, type DataSource, type FetchResult, type Point, type RunContext } from '../../core/plugin-api/index.js';
import { eventsNow, eventPoint, RemovedEvents, windowAround } from '../../core/plugin-api/index.js';
import { EventSync } from './event-sync.js';
import type { GoogleCalendarOptions } from './options.js';
import { isTimeZone } from '../../core/plugin-api/index.js';

/**
 * A `google-calendar` source: keeps the calendar in sync (full, then incremental) and reports
 * every occurrence in the window as a `calendar_event` point. The host brings the access token.
 */
export class GoogleCalendarSource implements DataSource<GoogleCalendarOptions> {
  private readonly sync: EventSync;
  private readonly removed = new RemovedEvents();

  constructor(private readonly options: GoogleCalendarOptions) {
    this.sync = new EventSync(options.calendar_id);
  }

  async validate(): Promise<void> {
    const zone = this.options.time_zone;
    if (zone !== undefined && !isTimeZone(zone)) {
      throw new ConfigError(`options.time_zone ${JSON.stringify(zone)} is not an IANA time zone (for example Europe/Berlin)`);
    }
  }

  async fetch(ctx: RunContext<GoogleCalendarOptions>): Promise<FetchResult> {
    const o = this.options;
    const window = windowAround(new Date(), o.days_back, o.days_ahead);
    const mode = await this.sync.sync(ctx, window);
    const zone = o.time_zone ?? this.sync.timeZone ?? 'UTC';
    const { events, errors } = this.sync.report(window, zone);
    const gone = this.removed.since(events, window);
    const calendar = o.calendar ?? o.calendar_id;
    return {
      points: [...events, ...gone].map((e) => eventPoint(e, calendar)),
      errors,
      details: { calendar_id: o.calendar_id, time_zone: zone, sync: mode, events: events.length },
    };
  }

  latest(points: readonly Point[], now: Date): unknown {
    return eventsNow(points, now);
  }
}
