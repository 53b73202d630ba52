import {
  AccessDeniedError,
  ConfigError,
  currentAndNextByResolution,
  DataError,
  errorKind,
  type DataSource,
  type FetchResult,
  type ItemError,
  type Point,
  type RunContext,
} from '../../core/plugin-api/index.js';
import type { TibberOptions } from './options.js';
import { tibberQuery } from './graphql-client.js';
import { pricePoints, readHomePrices } from './price-mapping.js';
import { HOMES_QUERY, pricesQuery, type TibberResolution } from './queries.js';

interface Home {
  id: string;
  active: boolean;
}

/** Reads `viewer.homes`: ids, and whether a subscription is running (only those have prices). */
function readHomes(data: Record<string, unknown>): Home[] {
  const viewer = data.viewer as { homes?: unknown } | undefined;
  if (!viewer || !Array.isArray(viewer.homes)) throw new DataError('homes: viewer.homes is not a list');
  return viewer.homes.map((home: unknown, i) => {
    const h = home as { id?: unknown; subscriptions?: unknown } | null;
    if (typeof h?.id !== 'string' || !h.id) throw new DataError(`homes: viewer.homes[${i}].id is not a string`);
    const subs = Array.isArray(h.subscriptions) ? (h.subscriptions as { status?: unknown }[]) : [];
    return { id: h.id, active: subs.some((s) => s?.status === 'running') };
  });
}

/** The homes to read: the configured one, or every home with a running subscription. */
function chooseHomes(homes: Home[], homeId: string): Home[] {
  if (homeId) {
    const home = homes.find((h) => h.id === homeId);
    if (!home) {
      const known = homes.map((h) => h.id).join(', ') || 'none';
      throw new ConfigError(`options.home_id: this Tibber account has no home ${homeId} (its homes: ${known})`);
    }
    return [home];
  }
  const active = homes.filter((h) => h.active);
  if (active.length === 0) throw new AccessDeniedError('no home of this Tibber account has a running subscription, so it has no prices');
  return active;
}

/** Errors that concern one home only; the other homes' prices are still written. */
function isHomeError(err: unknown): boolean {
  return errorKind(err) === 'data';
}

/** Lists the homes, then asks each for today's and tomorrow's prices. */
async function fetchPrices(ctx: RunContext<TibberOptions>): Promise<FetchResult> {
  const { home_id: homeId, resolution } = ctx.options;
  const homes = chooseHomes(readHomes(await tibberQuery(ctx, HOMES_QUERY)), homeId);
  const points: Point[] = [];
  const errors: ItemError[] = [];
  const warnings: string[] = [];
  let tomorrowPublished = true;
  for (const home of homes) {
    const where = `home ${home.id}`;
    try {
      const data = await tibberQuery(ctx, pricesQuery(resolution), { homeId: home.id });
      const prices = readHomePrices(data, where);
      if (!prices) throw new DataError(`${where}: no current subscription, so no prices`);
      if (prices.today.length === 0) warnings.push(`Tibber has no prices for today for ${where}`);
      points.push(...pricePoints(home.id, prices.today, resolution, `${where}: priceInfo.today`));
      points.push(...pricePoints(home.id, prices.tomorrow, resolution, `${where}: priceInfo.tomorrow`));
      // `tomorrow` is [] until the day-ahead auction is published, in the early afternoon.
      if (prices.tomorrow.length === 0) tomorrowPublished = false;
    } catch (err) {
      if (homes.length === 1 || !isHomeError(err)) throw err;
      errors.push({ item: where, error: err as Error });
    }
  }
  const details = { homes: homes.map((h) => h.id), tomorrow: tomorrowPublished ? 'published' : 'not yet published' };
  return { points, errors, warnings, details };
}

/** The running source of one configured `tibber` source. */
export function createTibberSource(): DataSource<TibberOptions> {
  return {
    fetch: fetchPrices,
    latest: currentAndNextByResolution,
  };
}
