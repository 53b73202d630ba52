import { ConfigError, type TokenGrant } from '../../core/plugin-api/index.js';
import { PayloadReader } from './payload-reader.js';

/**
 * The WattTime API v3 as pure functions: what to request (paths without a leading slash, for a
 * `got` whose `prefixUrl` is the base URL) and what the answers mean, validated. No I/O here: the
 * plugin's declaration sends the requests through the host's `ctx.http`.
 */

/** One entry of `meta.warnings`, e.g. `{ type: 'MISSING_DATA', message: … }`. */
export interface WattTimeWarning {
  type: string;
  message: string;
}

/** The `meta` stanza of forecast, signal-index and historical answers. */
export interface WattTimeMeta {
  region: string;
  signalType: string;
  /** e.g. `lbs_co2_per_mwh`, `percentile`; kept as the upstream says it. */
  units: string;
  /** `data_point_period_seconds`: 300 for most regions, 3600 for some. */
  periodSeconds: number;
  warnings: WattTimeWarning[];
  model?: { date?: string; type?: string };
  /** Forecasts only: when this forecast was generated. */
  generatedAt?: Date;
}

export interface TimedValue {
  time: Date;
  value: number;
}

/** A validated forecast, signal-index or historical answer. */
export interface SeriesPayload {
  data: TimedValue[];
  meta: WattTimeMeta;
}

export interface RegionFromLoc {
  region: string;
  regionFullName: string;
  signalType: string;
}

/** A GET to send: `path` is relative to the base URL. */
export interface UpstreamRequest {
  path: string;
  searchParams: Record<string, string>;
}

const HOUR_LIMIT = 72;
const DAY_MS = 86_400_000;

/** `GET /login` with HTTP Basic auth; the 200 answer is read by {@link parseLogin}. */
export function loginRequest(username: string, password: string): { path: string; headers: { authorization: string } } {
  const basic = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
  return { path: 'login', headers: { authorization: `Basic ${basic}` } };
}

/** `GET /v3/forecast`: the most recent forecast, `horizonHours` 0–72 (default 24 = 288 points). */
export function forecastRequest(o: { region: string; signalType: string; horizonHours?: number; model?: string }): UpstreamRequest {
  const hours = o.horizonHours ?? 24;
  if (!Number.isInteger(hours) || hours < 0 || hours > HOUR_LIMIT) {
    throw new ConfigError(`horizon_hours must be a whole number from 0 to ${HOUR_LIMIT}, not ${hours}`);
  }
  const searchParams: Record<string, string> = { region: o.region, signal_type: o.signalType, horizon_hours: String(hours) };
  if (o.model) searchParams.model = o.model;
  return { path: 'v3/forecast', searchParams };
}

/** `GET /v3/signal-index`: the current 0–100 percentile of co2_moer (the only signal it serves). */
export function signalIndexRequest(o: { region: string; signalType?: string }): UpstreamRequest {
  return { path: 'v3/signal-index', searchParams: { region: o.region, signal_type: o.signalType ?? 'co2_moer' } };
}

/** `GET /v3/historical` for one window of at most 32 days; see {@link historicalWindows}. */
export function historicalRequest(o: { region: string; signalType: string; start: Date; end: Date; model?: string }): UpstreamRequest {
  if (!(o.end.getTime() >= o.start.getTime())) throw new RangeError('historical: end is before start');
  if (o.end.getTime() - o.start.getTime() > 32 * DAY_MS) throw new RangeError('historical: a window spans more than 32 days');
  const searchParams: Record<string, string> = {
    region: o.region,
    signal_type: o.signalType,
    start: o.start.toISOString(),
    end: o.end.toISOString(),
  };
  if (o.model) searchParams.model = o.model;
  return { path: 'v3/historical', searchParams };
}

/**
 * Splits [start, end] into windows of at most `maxDays` (default 30, as the official SDK) for
 * `/v3/historical`. Ends are inclusive upstream, so each window but the last stops 1 ms before the
 * next begins: no point is fetched twice, and none is lost even when `start` is off the 5-minute grid.
 */
export function historicalWindows(start: Date, end: Date, maxDays = 30): { start: Date; end: Date }[] {
  const windows: { start: Date; end: Date }[] = [];
  const span = Math.min(maxDays, 32) * DAY_MS;
  for (let from = start.getTime(); from <= end.getTime(); from += span) {
    const last = from + span >= end.getTime();
    windows.push({ start: new Date(from), end: new Date(last ? end.getTime() : from + span - 1) });
    if (last) break;
  }
  return windows;
}

/** `GET /v3/my-access`, optionally filtered; read by `parseMyAccess` (access.ts). */
export function myAccessRequest(o: { region?: string; signalType?: string } = {}): UpstreamRequest {
  const searchParams: Record<string, string> = {};
  if (o.region) searchParams.region = o.region;
  if (o.signalType) searchParams.signal_type = o.signalType;
  return { path: 'v3/my-access', searchParams };
}

/** `GET /v3/region-from-loc`: the region covering a location for a signal type. */
export function regionFromLocRequest(o: { latitude: number; longitude: number; signalType: string }): UpstreamRequest {
  return {
    path: 'v3/region-from-loc',
    searchParams: { latitude: String(o.latitude), longitude: String(o.longitude), signal_type: o.signalType },
  };
}

/**
 * The token of a 200 `/login` answer. WattTime sends no lifetime; the token is a JWT whose `exp`
 * the host reads (the declaration's `default_lifetime: 30m` covers a token that is not a JWT).
 */
export function parseLogin(body: unknown): TokenGrant {
  const r = new PayloadReader('login');
  return { token: r.string(r.body(body).token, 'token') };
}

function readWarnings(r: PayloadReader, raw: unknown): WattTimeWarning[] {
  const list = r.optional(raw, 'meta.warnings', r.array) ?? [];
  return list.map((item, i) => {
    const w = r.object(item, `meta.warnings[${i}]`);
    return { type: r.string(w.type, `meta.warnings[${i}].type`), message: r.text(w.message, `meta.warnings[${i}].message`) };
  });
}

function readMeta(r: PayloadReader, raw: unknown): WattTimeMeta {
  const m = r.object(raw, 'meta');
  const periodSeconds = r.number(m.data_point_period_seconds, 'meta.data_point_period_seconds');
  if (periodSeconds <= 0) r.fail('meta.data_point_period_seconds', 'is not a positive number');
  const meta: WattTimeMeta = {
    region: r.string(m.region, 'meta.region'),
    signalType: r.string(m.signal_type, 'meta.signal_type'),
    units: r.string(m.units, 'meta.units'),
    periodSeconds,
    warnings: readWarnings(r, m.warnings),
  };
  const model = r.optional(m.model, 'meta.model', r.object);
  if (model) {
    meta.model = {};
    const date = r.optional(model.date, 'meta.model.date', r.string);
    const type = r.optional(model.type, 'meta.model.type', r.string);
    if (date) meta.model.date = date;
    if (type) meta.model.type = type;
  }
  const generatedAt = r.optional(m.generated_at, 'meta.generated_at', r.time);
  if (generatedAt) meta.generatedAt = generatedAt;
  return meta;
}

function readSeries(what: string, body: unknown): SeriesPayload {
  const r = new PayloadReader(what);
  const root = r.body(body);
  const data = r.array(root.data, 'data').map((item, i) => {
    const o = r.object(item, `data[${i}]`);
    return { time: r.time(o.point_time, `data[${i}].point_time`), value: r.number(o.value, `data[${i}].value`) };
  });
  return { data, meta: readMeta(r, root.meta) };
}

/** Validates a `/v3/forecast` answer. Throws `DataError` naming the first bad value. */
export function parseForecast(body: unknown): SeriesPayload {
  return readSeries('forecast', body);
}

/** Validates a `/v3/signal-index` answer (one point, units `percentile`). */
export function parseSignalIndex(body: unknown): SeriesPayload {
  return readSeries('signal-index', body);
}

/** Validates a `/v3/historical` answer; `last_updated` and `imputed_data_used` are ignored. */
export function parseHistorical(body: unknown): SeriesPayload {
  return readSeries('historical', body);
}

/** Validates a `/v3/region-from-loc` answer. */
export function parseRegionFromLoc(body: unknown): RegionFromLoc {
  const r = new PayloadReader('region-from-loc');
  const root = r.body(body);
  return {
    region: r.string(root.region, 'region'),
    regionFullName: r.string(root.region_full_name, 'region_full_name'),
    signalType: r.string(root.signal_type, 'signal_type'),
  };
}
