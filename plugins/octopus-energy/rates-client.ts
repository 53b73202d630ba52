import { ConfigError, DataError, type RunContext } from '../../core/plugin-api/index.js';

/** A page of Octopus's paginated answers (Django REST framework style, newest first). */
interface RatesPage {
  count?: unknown;
  next?: unknown;
  results?: unknown;
}

/** More pages than this for two days of 30-minute slots means the upstream is looping. */
const MAX_PAGES = 20;

export interface TariffRef {
  product: string;
  tariff: string;
}

/** `v1/products/{product}/electricity-tariffs/{tariff}/standard-unit-rates/` (the trailing slash is part of it). */
function ratesPath(ref: TariffRef): string {
  return `v1/products/${encodeURIComponent(ref.product)}/electricity-tariffs/${encodeURIComponent(ref.tariff)}/standard-unit-rates/`;
}

/** A 404 means the product or tariff code does not exist: a config problem, not an outage. */
function notFound(err: unknown, ref: TariffRef): Error | undefined {
  if ((err as { response?: { statusCode?: unknown } } | null)?.response?.statusCode !== 404) return undefined;
  return new ConfigError(
    `Octopus Energy has no tariff ${ref.tariff} in product ${ref.product} (404); check options.product_code and options.region`,
    { cause: err },
  );
}

/**
 * Reads every page of a tariff's standard unit rates between `from` and `to`. `next` is a full URL
 * on Octopus's own host; only its query (the page number) is taken, so `base_url` is kept.
 * @returns the result rows of every page, in order (`results[i]` in messages counts across pages).
 * @throws ConfigError for an unknown product or tariff; DataError for a page that is not one.
 */
export async function fetchRates(ctx: RunContext<unknown>, ref: TariffRef, from: Date, to: Date): Promise<unknown[]> {
  const rows: unknown[] = [];
  let search: URLSearchParams | undefined = new URLSearchParams({ period_from: from.toISOString(), period_to: to.toISOString() });
  for (let page = 1; search; page++) {
    if (page > MAX_PAGES) throw new DataError(`standard-unit-rates: still a next page after ${MAX_PAGES} pages`);
    let body: RatesPage;
    try {
      body = await ctx.http.get(ratesPath(ref), { searchParams: search }).json<RatesPage>();
    } catch (err) {
      throw notFound(err, ref) ?? err;
    }
    if (!body || !Array.isArray(body.results)) throw new DataError(`standard-unit-rates page ${page}: results is not a list`);
    rows.push(...(body.results as unknown[]));
    search = nextPage(body.next, page);
  }
  return rows;
}

function nextPage(next: unknown, page: number): URLSearchParams | undefined {
  if (next === null || next === undefined) return undefined;
  try {
    if (typeof next !== 'string') throw new TypeError('not a string');
    return new URL(next).searchParams;
  } catch (cause) {
    throw new DataError(`standard-unit-rates page ${page}: next is not a URL (${JSON.stringify(next)})`, { cause });
  }
}
