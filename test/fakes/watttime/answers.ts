import type { FakeReply } from '../http-fake.js';
import { ALL_ENDPOINTS, FAKE_REGIONS, PERIOD_MS, SIGNALS, type Account, type WattTimeAccess } from './values.js';

/**
 * The fake WattTime's stateless answers: its error shapes (the API's `ErrorResponse` and FastAPI's
 * 422 `detail`), query checks, `/v3/region-from-loc` and `/v3/my-access`.
 */

const DOCS = 'https://docs.watttime.org/';
const TZ_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;
const NAIVE_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/;

/** The API's own error body: `{ error, message, docs }`. */
export const problem = (status: number, error: string, message: string): FakeReply => ({ status, body: { error, message, docs: DOCS } });
/** FastAPI's validation error. */
export const invalid = (loc: string[], msg: string, type: string): FakeReply => ({ status: 422, body: { detail: [{ loc, msg, type }] } });

/** FastAPI's 422 for the first missing query parameter, or for a signal_type outside the enum. */
export function queryProblem(q: URLSearchParams, names: string[]): FakeReply | undefined {
  const absent = names.find((name) => !q.get(name));
  if (absent) return invalid(['query', absent], 'field required', 'value_error.missing');
  const signal = q.get('signal_type');
  if (signal !== null && !SIGNALS.includes(signal)) {
    const permitted = SIGNALS.map((s) => `'${s}'`).join(', ');
    return invalid(['query', 'signal_type'], `value is not a valid enumeration member; permitted: ${permitted}`, 'type_error.enum');
  }
  return undefined;
}

/** A timezone-aware time parameter in ms, or the answer for a naive or broken one. */
export function timeParam(q: URLSearchParams, name: string): number | FakeReply {
  const text = q.get(name) ?? '';
  if (NAIVE_TIME.test(text)) return problem(400, 'INVALID_QUERY_PARAMS', `${name} must include a timezone, e.g. 2022-07-15T00:00+00:00`);
  const ms = TZ_TIME.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(ms) ? invalid(['query', name], 'invalid datetime format', 'value_error.datetime') : ms;
}

/** `start` and `end` (inclusive, tz-aware, end not before start, at most `maxMs` apart). */
export function timeRange(q: URLSearchParams, maxMs: number, limitText: string): { start: number; end: number } | FakeReply {
  const bad = queryProblem(q, ['start', 'end']);
  if (bad) return bad;
  const [start, end] = [timeParam(q, 'start'), timeParam(q, 'end')];
  if (typeof start !== 'number') return start;
  if (typeof end !== 'number') return end;
  if (end < start) return problem(400, 'INVALID_QUERY_PARAMS', 'end must not be before start');
  if (end - start > maxMs) return problem(400, 'INVALID_QUERY_PARAMS', `The maximum query range is ${limitText}`);
  return { start, end };
}

/** `/v3/region-from-loc`: the region whose box holds the point, else the 404 of the notes. */
export function regionFromLoc(q: URLSearchParams): FakeReply {
  const bad = queryProblem(q, ['latitude', 'longitude', 'signal_type']);
  if (bad) return bad;
  const [lat, lon] = [Number(q.get('latitude')), Number(q.get('longitude'))];
  if (Number.isNaN(lat)) return invalid(['query', 'latitude'], 'value is not a valid float', 'type_error.float');
  if (Number.isNaN(lon)) return invalid(['query', 'longitude'], 'value is not a valid float', 'type_error.float');
  const found = FAKE_REGIONS.find(({ box: [s, n, w, e] }) => lat >= s! && lat <= n! && lon >= w! && lon <= e!);
  const signal_type = q.get('signal_type');
  if (found) return { status: 200, body: { region: found.region, region_full_name: found.full_name, signal_type } };
  const error = 'No coverage available for these coordinates and signal_type';
  return { status: 404, body: { error, latitude: q.get('latitude'), longitude: q.get('longitude'), signal_type } };
}

/** The PYHypercube of an account's grants, filtered by the optional region and signal_type. */
export function myAccess(q: URLSearchParams, account: Account): FakeReply {
  const [region, signal] = [q.get('region'), q.get('signal_type')];
  const grants = account.access.filter((a) => (!region || a.region === region) && (!signal || a.signal_type === signal));
  const model = { model: '2023-03-01', data_start: '2020-01-01', train_start: '2021-01-01', train_end: '2022-12-31' };
  const regionOf = (a: WattTimeAccess) => {
    const known = FAKE_REGIONS.find((r) => r.region === a.region);
    const endpoints = (a.endpoints ?? ALL_ENDPOINTS).map((endpoint) => ({
      endpoint,
      models: [endpoint === 'v3/historical' ? { ...model, type: 'binned_regression' } : model],
    }));
    const names = { region_full_name: known?.full_name ?? a.region, parent: known?.parent ?? a.region };
    return { region: a.region, ...names, data_point_period_seconds: PERIOD_MS / 1000, endpoints };
  };
  const signals = [...new Set(grants.map((a) => a.signal_type))];
  return { status: 200, body: { signal_types: signals.map((s) => ({ signal_type: s, regions: grants.filter((a) => a.signal_type === s).map(regionOf) })) } };
}
