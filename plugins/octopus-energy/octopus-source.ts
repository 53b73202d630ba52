import type { DataSource, FetchResult, RunContext } from '../../core/plugin-api/index.js';
import type { OctopusOptions } from './options.js';
import { ratePoints } from './rate-mapping.js';
import { fetchRates } from './rates-client.js';
import { currentAndNextByResolution, startOfZonedDay } from '../../core/plugin-api/index.js';

/** Agile days and Octopus's own times without an offset follow UK time. */
const UK = 'Europe/London';

/** `E-1R-<product>-<region>`: the single-register electricity tariff of a product in one region. */
export function tariffCode(product: string, region: string): string {
  return `E-1R-${product}-${region}`;
}

/** Today's rates and tomorrow's once published (about 16:00 UK time), every page of them. */
async function fetchPrices(ctx: RunContext<OctopusOptions>): Promise<FetchResult> {
  const { product_code: product, region, payment_method: paymentMethod } = ctx.options;
  const tariff = tariffCode(product, region);
  const now = Date.now();
  const [today, tomorrow, after] = [0, 1, 2].map((d) => startOfZonedDay(UK, now, d)) as [Date, Date, Date];
  const rows = await fetchRates(ctx, { product, tariff }, today, after);
  const points = ratePoints(rows, tariff, paymentMethod);
  const published = points.some((p) => p.time.getTime() >= tomorrow.getTime());
  const warnings = points.length === 0 ? [`Octopus Energy has no rates for ${tariff} today`] : [];
  return { points, warnings, details: { tariff, tomorrow: published ? 'published' : 'not yet published' } };
}

/** The running source of one configured `octopus-energy` source. */
export function createOctopusSource(): DataSource<OctopusOptions> {
  return { fetch: fetchPrices, latest: currentAndNextByResolution };
}
