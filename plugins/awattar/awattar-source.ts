import type { DataSource, FetchResult, RunContext } from '../../core/plugin-api/index.js';
import type { AwattarOptions } from './options.js';
import { marketPoints } from './market-data.js';
import { RequestBudget } from './request-budget.js';
import { currentAndNextByResolution, startOfZonedDay } from '../../core/plugin-api/index.js';

/** The default `base_url` (Germany); Austria has its own host. */
export const GERMAN_API = 'https://api.awattar.de';
const AUSTRIAN_API = 'https://api.awattar.at';
/** DE and AT share a time zone; their market days run midnight to midnight there. */
const MARKET_TIME_ZONE = 'Europe/Berlin';

/** Today's prices and tomorrow's once published (about 14:00), in one request. */
async function fetchPrices(ctx: RunContext<AwattarOptions>, budget: RequestBudget): Promise<FetchResult> {
  const { country, base_url: baseUrl } = ctx.options;
  const now = Date.now();
  const [today, tomorrow, after] = [0, 1, 2].map((d) => startOfZonedDay(MARKET_TIME_ZONE, now, d).getTime()) as [number, number, number];
  budget.take(now);
  // Austria's prices live on api.awattar.at; a base_url the user set is kept as it is.
  const host = country === 'AT' && baseUrl === GERMAN_API ? { prefixUrl: AUSTRIAN_API } : {};
  const body = await ctx.http.get('v1/marketdata', { ...host, searchParams: { start: today, end: after } }).json<unknown>();
  const points = marketPoints(body, country);
  const published = points.some((p) => p.time.getTime() >= tomorrow);
  const warnings = points.length === 0 ? [`aWATTar has no prices for ${country} today`] : [];
  return { points, warnings, details: { country, tomorrow: published ? 'published' : 'not yet published' } };
}

/** The running source of one configured `awattar` source; its request budget lives as long as it. */
export function createAwattarSource(options: Pick<AwattarOptions, 'max_requests_per_day'>): DataSource<AwattarOptions> {
  const budget = new RequestBudget(options.max_requests_per_day);
  return { fetch: (ctx) => fetchPrices(ctx, budget), latest: currentAndNextByResolution };
}
