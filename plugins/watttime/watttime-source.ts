import {
  AccessDeniedError,
  errorKind,
  UpstreamError,
  type DataSource,
  type FetchResult,
  type ItemError,
  type LoginContext,
  type Point,
  type RunContext,
  type TokenGrant,
} from '../../core/plugin-api/index.js';
import { canAccess, parseMyAccess, planMessage, type WattTimeCall } from './access.js';
import {
  forecastRequest,
  historicalRequest,
  myAccessRequest,
  parseForecast,
  parseHistorical,
  parseRegionFromLoc,
  parseSignalIndex,
  regionFromLocRequest,
  signalIndexRequest,
  type SeriesPayload,
  type WattTimeMeta,
} from './client.js';
import { HistoricalBackfill } from './historical-backfill.js';
import { latestValues, toPoints, warningTexts, type Series } from './mapping.js';
import { configuredLocation, configuredRegions, type WattTimeOptions } from './options.js';
import type { FailedCall } from './upstream-errors.js';
import { getBody, login, partFailure, unwrap } from './watttime-api.js';

const DAY_MS = 86_400_000;
/** The plan is read again once a day, so an upgrade (or a downgrade) shows without a restart. */
const ACCESS_RECHECK_MS = DAY_MS;
/** WattTime advises resolving coordinates again at least monthly: region borders move. */
const LOCATION_RECHECK_MS = 30 * DAY_MS;
const CALLS: Record<Series, WattTimeCall> = { forecast: 'forecast', index: 'signal-index', historical: 'historical' };

type Ctx = RunContext<WattTimeOptions>;

interface ResolvedLocation {
  latitude: number;
  longitude: number;
  region: string;
  regionFullName: string;
  at: number;
}

/** What one run gathers: points, failed parts and the `meta` of every answer, by region. */
interface RunLog {
  points: Point[];
  errors: ItemError[];
  metas: Map<string, WattTimeMeta[]>;
}

const partKey = (region: string, series: Series) => `${region} ${series}`;

/**
 * One WattTime source: per region, the forecast, the signal index and the history, each a "part".
 * At start (and daily) `/v3/my-access` says which parts the plan covers; the others are reported
 * as `access_denied` item errors and never requested, and when no part is covered the whole
 * source is `access_denied`. A part that fails is recorded and the others go on; what concerns
 * the account (refused credentials, rate limits) ends the run so that the host backs off.
 */
export class WattTimeSource implements DataSource<WattTimeOptions> {
  private regions: string[];
  private location: ResolvedLocation | undefined;
  private readonly denied = new Map<string, AccessDeniedError>();
  private accessCheckedAt: number | null = null;
  private readonly backfill: HistoricalBackfill;

  constructor(private readonly options: WattTimeOptions) {
    this.regions = configuredRegions(options.region);
    this.backfill = new HistoricalBackfill(options.backfill);
  }

  login(ctx: LoginContext<WattTimeOptions>): Promise<TokenGrant> {
    return login(ctx);
  }

  /** Resolves the location to a region (when given) and reads what the plan covers. */
  async validate(ctx: Ctx): Promise<void> {
    await this.resolveLocation(ctx);
    await this.checkAccess(ctx);
  }

  async fetch(ctx: Ctx): Promise<FetchResult> {
    const now = Date.now();
    if (this.accessCheckedAt === null || now - this.accessCheckedAt >= ACCESS_RECHECK_MS) await this.validate(ctx);
    const run: RunLog = { points: [], errors: [], metas: new Map() };
    try {
      for (const region of this.regions) {
        for (const series of this.options.series) await this.readPart(ctx, run, region, series, now);
      }
    } catch (err) {
      this.backfill.discard();
      throw err;
    }
    this.backfill.commit();
    // Parts the plan does not cover come last: when nothing worked, the first error, which the
    // host reports, is a failure of this run rather than the standing plan limit.
    const denied = [...this.denied].map(([item, error]) => ({ item, error }));
    return { points: run.points, errors: [...run.errors, ...denied], warnings: this.warnings(run), details: this.details() };
  }

  latest(points: readonly Point[], now: Date): unknown {
    return latestValues(points, now);
  }

  private async resolveLocation(ctx: Ctx): Promise<void> {
    const at = configuredLocation(this.options);
    if (!at || (this.location && Date.now() - this.location.at < LOCATION_RECHECK_MS)) return;
    const signalType = this.options.signal_type;
    const call: FailedCall = { call: 'region-from-loc', ...at, signalType };
    const found = parseRegionFromLoc(await getBody(ctx, regionFromLocRequest({ ...at, signalType }), call));
    this.location = { ...at, region: found.region, regionFullName: found.regionFullName, at: Date.now() };
    this.regions = [found.region];
    ctx.logger.info({ ...at, region: found.region, region_full_name: found.regionFullName }, 'location resolved to a WattTime region');
  }

  private async checkAccess(ctx: Ctx): Promise<void> {
    const signalType = this.options.signal_type;
    const access = parseMyAccess(await getBody(ctx, myAccessRequest({ signalType }), { call: 'my-access' }));
    this.denied.clear();
    for (const region of this.regions) {
      for (const series of this.options.series) {
        // The signal index is open to every account; the forecast and the history are plan data.
        if (series === 'index' || canAccess(access, region, signalType, `v3/${series}`)) continue;
        this.denied.set(partKey(region, series), new AccessDeniedError(planMessage(series, region, signalType)));
      }
    }
    this.accessCheckedAt = Date.now();
    if (this.denied.size === this.regions.length * this.options.series.length) throw [...this.denied.values()][0]!;
  }

  private async readPart(ctx: Ctx, run: RunLog, region: string, series: Series, now: number): Promise<void> {
    const key = partKey(region, series);
    if (this.denied.has(key)) return;
    // WattTime indexes co2_moer only; the index points say so in their signal_type tag.
    const signalType = series === 'index' ? 'co2_moer' : this.options.signal_type;
    const call: FailedCall = { call: CALLS[series], region, signalType };
    try {
      if (series === 'historical') return await this.readHistory(ctx, run, call, region, now);
      const payload =
        series === 'forecast'
          ? parseForecast(await getBody(ctx, forecastRequest({ region, signalType, horizonHours: this.options.horizon_hours }), call))
          : parseSignalIndex(await getBody(ctx, signalIndexRequest({ region, signalType }), call));
      // WattTime guarantees a forecast and an index value; an empty answer is a failure.
      if (payload.data.length === 0) throw new UpstreamError(`WattTime sent no ${series} points for ${region}`, { retryable: true });
      this.keep(run, region, payload, series);
    } catch (err) {
      const failure = partFailure(err, call);
      if (!failure) throw unwrap(err);
      if (errorKind(failure) === 'access') this.denied.set(key, failure as AccessDeniedError);
      else run.errors.push({ item: key, error: failure });
    }
  }

  /** The due windows of `/v3/historical`, oldest first; a failed window ends the region's history for this run. */
  private async readHistory(ctx: Ctx, run: RunLog, call: FailedCall, region: string, now: number): Promise<void> {
    for (const window of this.backfill.windows(region, now, ctx.lastSuccess)) {
      const request = historicalRequest({ region, signalType: this.options.signal_type, ...window });
      const payload = parseHistorical(await getBody(ctx, request, call));
      this.keep(run, region, payload, 'historical');
      this.backfill.record(region, window, payload.data.map((d) => d.time), now);
    }
  }

  private keep(run: RunLog, region: string, payload: SeriesPayload, series: Series): void {
    run.points.push(...toPoints(payload, series));
    run.metas.set(region, [...(run.metas.get(region) ?? []), payload.meta]);
  }

  /** `meta.warnings` of the run, once each; prefixed with the region when there are several. */
  private warnings(run: RunLog): string[] {
    const several = this.regions.length > 1;
    return [...run.metas].flatMap(([region, metas]) => warningTexts(...metas).map((w) => (several ? `${region}: ${w}` : w)));
  }

  private details(): Record<string, unknown> {
    const details: Record<string, unknown> = { regions: [...this.regions], signal_type: this.options.signal_type };
    if (this.location) {
      const { latitude, longitude, region, regionFullName } = this.location;
      details.location = { latitude, longitude, region, region_full_name: regionFullName };
    }
    if (this.options.series.includes('historical')) details.historical_until = this.backfill.progress();
    if (this.denied.size > 0) details.not_in_plan = [...this.denied.keys()];
    return details;
  }
}
