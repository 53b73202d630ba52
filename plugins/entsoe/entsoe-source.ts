import {
  UpstreamError,
  currentAndNextByResolution,
  errorKind,
  startOfZonedDay,
  zonedMinuteOfDay,
  type DataSource,
  type FetchResult,
  type ItemError,
  type RunContext,
} from '../../core/plugin-api/index.js';
import type { EntsoeOptions } from './options.js';
import { requestDay, type DayAnswer } from './document-client.js';
import { curvePoints } from './price-curve.js';
import type { PricePeriod } from './xml-document.js';

/** The day-ahead market's days run midnight to midnight in CET/CEST, whatever the zone's own time. */
export const MARKET_TIME_ZONE = 'Europe/Brussels';

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/**
 * Tomorrow's answer. Before publication, "no matching data" (reason 999) is the normal answer and
 * no error; after `tomorrow_expected_by` it is an item error, and today's prices are written anyway.
 */
async function tomorrowPeriods(ctx: RunContext<EntsoeOptions>, start: Date, end: Date, errors: ItemError[]): Promise<PricePeriod[] | null> {
  let answer: DayAnswer;
  try {
    answer = await requestDay(ctx, ctx.options.zone, start, end, 'tomorrow');
  } catch (err) {
    // A token or rate problem concerns every request; anything else only tomorrow's.
    if (errorKind(err) !== 'upstream' && errorKind(err) !== 'data') throw err;
    errors.push({ item: 'tomorrow', error: err as Error });
    return null;
  }
  if (answer.kind === 'prices') return answer.periods;
  const now = Date.now();
  if (zonedMinuteOfDay(MARKET_TIME_ZONE, now) >= minutesOf(ctx.options.tomorrow_expected_by)) {
    const message = `ENTSO-E has not published tomorrow's prices by ${ctx.options.tomorrow_expected_by} Brussels time (reason 999: ${answer.text})`;
    errors.push({ item: 'tomorrow', error: new UpstreamError(message, { retryable: true }) });
  }
  return null;
}

/** Today's prices (which must exist), then tomorrow's (which may not yet). */
async function fetchPrices(ctx: RunContext<EntsoeOptions>): Promise<FetchResult> {
  const { zone, resolution } = ctx.options;
  const now = Date.now();
  const [today, tomorrow, after] = [0, 1, 2].map((d) => startOfZonedDay(MARKET_TIME_ZONE, now, d)) as [Date, Date, Date];
  const answer = await requestDay(ctx, zone, today, tomorrow, 'today');
  if (answer.kind === 'no-data') {
    throw new UpstreamError(`ENTSO-E has no day-ahead prices for ${zone} today (reason 999: ${answer.text}); check options.zone`, {
      retryable: false,
    });
  }
  const errors: ItemError[] = [];
  const next = await tomorrowPeriods(ctx, tomorrow, after, errors);
  const points = curvePoints([...answer.periods, ...(next ?? [])], zone, resolution);
  return { points, errors, details: { zone, tomorrow: next ? 'published' : 'not yet published' } };
}

/** The running source of one configured `entsoe` source. */
export function createEntsoeSource(): DataSource<EntsoeOptions> {
  return { fetch: fetchPrices, latest: currentAndNextByResolution };
}
