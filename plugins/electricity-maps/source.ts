import {
  AccessDeniedError,
  currentAndNext,
  errorKind,
  UpstreamError,
  type DataSource,
  type FetchResult,
  type ItemError,
  type Point,
  type RunContext,
} from '../../core/plugin-api/index.js';
import { readLatest, readSeries, type Reading } from './answers.js';
import { placeQuery, type ElectricityMapsOptions } from './options.js';

type Ctx = RunContext<ElectricityMapsOptions>;
type Part = 'latest' | 'history' | 'forecast';

const TITLE = 'Electricity Maps';
const HOUR_MS = 3_600_000;
/** A forecast the plan refused is asked again after a day, so an upgrade shows without a restart. */
const RECHECK_MS = 24 * HOUR_MS;

type ErrorResponse = { statusCode?: unknown; statusMessage?: unknown; body?: unknown };
const responseOf = (err: unknown): ErrorResponse | undefined => (err as { response?: ErrorResponse } | null)?.response;

function saidIn(body: unknown): string {
  try {
    const o = (typeof body === 'string' || Buffer.isBuffer(body) ? JSON.parse(body.toString()) : body) as Record<string, unknown> | null;
    const text = [o?.error, o?.message].find((v): v is string => typeof v === 'string' && v !== '');
    return text ? `: ${text.replace(/\s+/g, ' ').trim()}` : '';
  } catch {
    return '';
  }
}

/**
 * Electricity Maps' refusals in plain words: its endpoints have moved before (and broke Home
 * Assistant and evcc), so a 404 or 400 says the API may have changed; a forecast refused (401 or
 * 403) while the latest value came is the plan. Undefined for what the host maps well.
 */
function refusal(err: unknown, path: string, part: Part, zone: string): Error | undefined {
  const response = responseOf(err);
  const status = response?.statusCode;
  if (typeof status !== 'number') return undefined;
  const said = saidIn(response!.body);
  const options = { httpStatus: status, cause: err };
  if (status === 404) {
    return new UpstreamError(`${TITLE} has no GET /${path} any more (404${said}): the API has changed; a newer HomeIQ may read it`, { retryable: false, ...options });
  }
  if (status === 400) {
    const message = `${TITLE} refused GET /${path} (400${said}): check options.zone (or latitude and longitude); if they are right, the API has changed`;
    return new UpstreamError(message, { retryable: false, ...options });
  }
  if (part === 'forecast' && (status === 401 || status === 403)) {
    const message = `${TITLE} refused the forecast for ${zone}: it is not in this token's plan (the free tier has none; it needs a paid plan) (${status}${said}); latest and history go on`;
    return new AccessDeniedError(message, options);
  }
  return undefined;
}

/**
 * One Electricity Maps source: the latest value (which must come, or the run fails), then the last
 * 24 hours and the forecast, each recorded as an item error when it fails alone; a forecast the
 * plan refuses is `access_denied` for that part and asked again a day later.
 */
export class ElectricityMapsSource implements DataSource<ElectricityMapsOptions> {
  private zone = '';
  private forecastDenied: { error: Error; at: number } | undefined;

  constructor(private readonly options: ElectricityMapsOptions) {}

  async fetch(ctx: Ctx): Promise<FetchResult> {
    const latest = readLatest(await this.get(ctx, 'v3/carbon-intensity/latest', 'latest'));
    this.zone = latest.zone;
    const points = latest.reading ? this.points([latest.reading], 'historical') : [];
    const errors: ItemError[] = [];
    if (this.options.history) await this.part(ctx, 'history', points, errors);
    if (this.options.forecast) await this.part(ctx, 'forecast', points, errors);
    // The history ends with the latest hour: one point per series and hour, the latest value's kept.
    const unique = new Map(points.map((p) => [`${p.tags!.series}|${p.time.getTime()}`, p] as const).reverse());
    return { points: [...unique.values()].reverse(), errors, details: { zone: this.zone, emission_factor_type: this.options.emission_factor_type } };
  }

  latest(points: readonly Point[], now: Date): unknown {
    return currentAndNext(points, now, () => HOUR_MS);
  }

  private async part(ctx: Ctx, part: 'history' | 'forecast', points: Point[], errors: ItemError[]): Promise<void> {
    const denied = part === 'forecast' ? this.forecastDenied : undefined;
    if (denied && Date.now() - denied.at < RECHECK_MS) return void errors.push({ item: part, error: denied.error });
    try {
      const readings = readSeries(await this.get(ctx, `v3/carbon-intensity/${part}`, part), part);
      points.push(...this.points(readings, part === 'history' ? 'historical' : 'forecast'));
      if (part === 'forecast') this.forecastDenied = undefined;
    } catch (err) {
      const kind = errorKind(err);
      const status = responseOf(err)?.statusCode;
      const failure =
        kind === 'access' || kind === 'upstream' || kind === 'data'
          ? (err as Error)
          : !kind && typeof status === 'number' && status >= 500
            ? new UpstreamError(`${TITLE} answered ${status} for the ${part} of ${this.zone}`, { retryable: true, httpStatus: status, cause: err })
            : undefined;
      if (!failure) throw err;
      if (part === 'forecast' && kind === 'access') this.forecastDenied = { error: failure, at: Date.now() };
      errors.push({ item: part, error: failure });
    }
  }

  private async get(ctx: Ctx, path: string, part: Part): Promise<unknown> {
    const searchParams: Record<string, string | number> = { ...placeQuery(this.options), emissionFactorType: this.options.emission_factor_type };
    try {
      return await ctx.http.get(path, { searchParams }).json<unknown>();
    } catch (err) {
      throw refusal(err, path, part, this.zone || String(searchParams.zone ?? 'the place')) ?? err;
    }
  }

  private points(readings: readonly Reading[], series: string): Point[] {
    const tags = { region: this.zone, signal_type: `co2_${this.options.emission_factor_type}`, series };
    return readings.map((r) => ({
      measurement: 'carbon_intensity',
      tags: { ...tags },
      fields: (r.estimated === undefined ? { value: r.value } : { value: r.value, estimated: r.estimated }) as Point['fields'],
      time: r.time,
    }));
  }
}
