import type { FakeReply } from '../http-fake.js';
import { invalid, myAccess, problem, queryProblem, regionFromLoc, timeRange } from './answers.js';
import {
  ALL_ENDPOINTS,
  DAY_MS,
  FAKE_REGIONS,
  fakeIndexValue,
  floorPeriod,
  grid,
  INVALID_SCOPE_MESSAGE,
  PERIOD_MS,
  UNITS,
  wattTimeTime,
  type Account,
  type WattTimeEndpoint,
  type WattTimeWarning,
} from './values.js';

/** What the data routes read from the fake on every request (tests may change it). */
export interface DataState {
  warnings: WattTimeWarning[];
  /** How long after its point time a historical value appears (WattTime: minutes to hours). */
  publicationDelayMs: number;
}

type Route = (q: URLSearchParams, account: Account) => FakeReply;

/**
 * The `/v3` data endpoints of an authenticated account: 5-minute grids from the fake's clock,
 * plan scopes (the "Invalid scope" 403) and WattTime's range limits (32 days of history, 24 hours
 * of forecast generations).
 */
export class DataRoutes {
  readonly routes: Record<string, Route> = {
    '/v3/forecast': (q, a) => this.forecast(q, a),
    '/v3/forecast/historical': (q, a) => this.forecastHistory(q, a),
    '/v3/historical': (q, a) => this.historical(q, a),
    '/v3/signal-index': (q, a) => this.signalIndex(q, a),
    '/v3/region-from-loc': (q) => regionFromLoc(q),
    '/v3/my-access': (q, a) => myAccess(q, a),
  };

  constructor(
    private readonly now: () => number,
    private readonly state: DataState,
  ) {}

  /** Region and signal of a data call, or the 4xx when missing, unknown or outside the plan. */
  private series(q: URLSearchParams, account: Account, endpoint?: WattTimeEndpoint): FakeReply | { region: string; signal: string } {
    const bad = queryProblem(q, endpoint ? ['region', 'signal_type'] : ['region']);
    if (bad) return bad;
    const [region, signal] = [q.get('region')!, q.get('signal_type') ?? 'co2_moer'];
    if (!FAKE_REGIONS.some((r) => r.region === region)) return problem(400, 'INVALID_QUERY_PARAMS', `Unknown region: ${region}`);
    const grants = account.access.filter((a) => a.region === region && a.signal_type === signal);
    if (endpoint && !grants.some((a) => (a.endpoints ?? ALL_ENDPOINTS).includes(endpoint))) {
      return problem(403, 'FORBIDDEN', INVALID_SCOPE_MESSAGE);
    }
    return { region, signal };
  }

  private meta(region: string, signal: string, q: URLSearchParams): Record<string, unknown> {
    const model = { date: q.get('model') ?? '2023-03-01' };
    return { data_point_period_seconds: PERIOD_MS / 1000, region, warnings: this.state.warnings, signal_type: signal, model, units: UNITS[signal] };
  }

  /** `horizon_hours` (0–72, default 24) as a point count, or the 422. */
  private horizonPoints(q: URLSearchParams): number | FakeReply {
    const text = q.get('horizon_hours') ?? '24';
    const hours = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!(hours >= 0 && hours <= 72)) return invalid(['query', 'horizon_hours'], 'ensure this value is between 0 and 72', 'value_error.number');
    return hours === 0 ? 1 : hours * 12;
  }

  private forecast(q: URLSearchParams, account: Account): FakeReply {
    const s = this.series(q, account, 'v3/forecast');
    if ('status' in s) return s;
    const count = this.horizonPoints(q);
    if (typeof count !== 'number') return count;
    const start = floorPeriod(this.now());
    const meta = { ...this.meta(s.region, s.signal, q), generated_at_period_seconds: PERIOD_MS / 1000, generated_at: wattTimeTime(start) };
    return { status: 200, body: { data: grid(s.region, s.signal, start, count), meta } };
  }

  /** Past forecasts: one per 5-minute `generated_at` in [start, end], at most 24 hours of them. */
  private forecastHistory(q: URLSearchParams, account: Account): FakeReply {
    const range = timeRange(q, DAY_MS, '24 hours');
    if ('status' in range) return range;
    const s = this.series(q, account, 'v3/forecast');
    if ('status' in s) return s;
    const count = this.horizonPoints(q);
    if (typeof count !== 'number') return count;
    const data = [];
    for (let t = Math.ceil(range.start / PERIOD_MS) * PERIOD_MS; t <= Math.min(range.end, this.now()); t += PERIOD_MS) {
      data.push({ generated_at: wattTimeTime(t), forecast: grid(s.region, s.signal, t, count) });
    }
    return { status: 200, body: { data, meta: { ...this.meta(s.region, s.signal, q), generated_at_period_seconds: PERIOD_MS / 1000 } } };
  }

  private historical(q: URLSearchParams, account: Account): FakeReply {
    const range = timeRange(q, 32 * DAY_MS, '32 days');
    if ('status' in range) return range;
    const s = this.series(q, account, 'v3/historical');
    if ('status' in s) return s;
    const first = Math.ceil(range.start / PERIOD_MS) * PERIOD_MS;
    const last = floorPeriod(Math.min(range.end, this.now() - this.state.publicationDelayMs));
    const meta = { ...this.meta(s.region, s.signal, q), model: { date: '2023-03-01', type: 'binned_regression' } };
    return { status: 200, body: { data: grid(s.region, s.signal, first, (last - first) / PERIOD_MS + 1), meta } };
  }

  private signalIndex(q: URLSearchParams, account: Account): FakeReply {
    const s = this.series(q, account);
    if ('status' in s) return s;
    if (s.signal !== 'co2_moer') return problem(400, 'INVALID_QUERY_PARAMS', 'signal-index supports signal_type co2_moer only');
    const at = floorPeriod(this.now());
    const meta = { ...this.meta(s.region, s.signal, q), units: 'percentile', model: { date: '2022-10-01' } };
    return { status: 200, body: { data: [{ point_time: wattTimeTime(at), value: fakeIndexValue(s.region, at) }], meta } };
  }
}
