import { ConfigError, type DataSource, type FetchResult, type Point, type RunContext } from '../../core/plugin-api/index.js';
import { eventsNow, eventPoint, RemovedEvents, windowAround } from '../../core/plugin-api/index.js';
import { downloadFeed } from './feed-download.js';
import { feedEvents } from './feed-events.js';
import type { IcsOptions } from './options.js';
import { isTimeZone } from '../../core/plugin-api/index.js';

/**
 * An `ics` source: downloads the whole feed each run (iCalendar has no incremental sync), expands
 * it over the window and reports every occurrence as a `calendar_event` point. What disappeared
 * since the last run is found by comparing with it.
 */
export class IcsSource implements DataSource<IcsOptions> {
  private readonly removed = new RemovedEvents();

  constructor(
    private readonly options: IcsOptions,
    private readonly sourceId: string,
  ) {}

  async validate(): Promise<void> {
    const zone = this.options.time_zone;
    if (zone !== undefined && !isTimeZone(zone)) {
      throw new ConfigError(`options.time_zone ${JSON.stringify(zone)} is not an IANA time zone (for example Europe/Berlin)`);
    }
  }

  async fetch(ctx: RunContext<IcsOptions>): Promise<FetchResult> {
    const o = this.options;
    const text = await downloadFeed(ctx, o.url);
    const window = windowAround(new Date(), o.days_back, o.days_ahead);
    const feed = feedEvents(text, window, o.time_zone);
    const gone = this.removed.since(feed.events, window);
    const calendar = o.calendar ?? this.sourceId;
    return {
      points: [...feed.events, ...gone].map((e) => eventPoint(e, calendar)),
      errors: feed.errors,
      warnings: feed.warnings,
      details: { calendar_name: feed.calendarName ?? null, time_zone: feed.timeZone, events: feed.events.length },
    };
  }

  latest(points: readonly Point[], now: Date): unknown {
    return eventsNow(points, now);
  }
}
