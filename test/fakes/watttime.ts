import { randomBytes, randomUUID } from 'node:crypto';
import { basicCredentials, bearerToken, jsonObject, RollingWindow, startHttpFake, type FakeReply, type FakeRequest, type HttpFake } from './http-fake.js';
import { signJwt, verifyJwt } from './jwt.js';

/**
 * A fake WattTime API v3 that follows ../shared/apis/watttime.md: `/login`, `/register` and the
 * `/v3` data endpoints, with JWT bearer tokens that expire, plan scopes and rate limits. Values are
 * a function of region, signal and time ({@link fakeValue}) so tests can predict them.
 */

export type WattTimeEndpoint = 'v3/forecast' | 'v3/historical';
/** One grant of an account: a region and signal, for some or (by default) all endpoints. */
export interface WattTimeAccess {
  region: string;
  signal_type: string;
  endpoints?: WattTimeEndpoint[];
}
export interface WattTimeWarning {
  type: string;
  message: string;
}
export interface FakeWattTimeOptions {
  /** Lifetime of issued tokens (the JWT `exp`); default 1800 as upstream. */
  tokenLifetimeSeconds?: number;
  /** Body of a refused login: JSON, or the nginx HTML page seen upstream. Default 'json'. */
  loginFailureBody?: 'json' | 'nginx-html';
  /** Logins allowed per user and window (default 100), data requests per user (default 3000). */
  loginLimit?: number;
  requestLimit?: number;
  /** The rolling window of both limits; default 5 minutes. */
  limitWindowMs?: number;
  /** The fake's clock (tokens, limits and data); default Date.now. */
  now?: () => number;
}
export interface FakeWattTime extends HttpFake {
  /** Adds or replaces an account; access defaults to {@link DEFAULT_ACCESS}. */
  addUser(username: string, password: string, access?: WattTimeAccess[]): void;
  /** Every token presented after this one gets 401. */
  revokeAllTokens(): void;
  /** `meta.warnings` of every data answer from now on. */
  setWarnings(warnings: WattTimeWarning[]): void;
  /** Requests to /login, answered or not. */
  loginCount: number;
  tokensIssued: string[];
  /** Every bearer token presented on a data endpoint, in order. */
  tokensSeen: string[];
  /** Data requests that presented a token past its `exp`. */
  expiredTokenRequests: number;
  registrations: { username: string; email: string; org: string | null }[];
  /** Read at every login and refused login; tests may change them. */
  tokenLifetimeSeconds: number;
  loginFailureBody: 'json' | 'nginx-html';
}

/** A new account's access: CAISO_NORTH for co2_moer and health_damage (the SDK README). */
export const DEFAULT_ACCESS: readonly WattTimeAccess[] = [
  { region: 'CAISO_NORTH', signal_type: 'co2_moer' },
  { region: 'CAISO_NORTH', signal_type: 'health_damage' },
];
export const INVALID_SCOPE_MESSAGE =
  'Invalid scope. You do not have sufficient access to this resource. See https://https//watttime.org/docs-dev/data-plans/ for more information or email contact@watttime.org for pricing. Please note that all users are allowed free access to CAISO_NORTH.';
export const NGINX_403_PAGE =
  '<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n<center><h1>403 Forbidden</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/** Regions the fake covers, each with a [south, north, west, east] box for region-from-loc. */
export const FAKE_REGIONS: readonly { region: string; full_name: string; parent: string; box: readonly number[] }[] = [
  { region: 'CAISO_NORTH', full_name: 'California ISO Northern', parent: 'CAISO', box: [36, 42, -124.5, -119] },
  { region: 'PSCO', full_name: 'Public Service Co of Colorado', parent: 'PSCO', box: [37, 41, -109, -102] },
  { region: 'ISONE_WCMA', full_name: 'ISONE Western/Central Massachusetts', parent: 'ISONE', box: [41.9, 42.9, -73.5, -71.8] },
  { region: 'PJM_NJ', full_name: 'PJM New Jersey', parent: 'PJM', box: [38.9, 41.4, -75.6, -73.9] },
  { region: 'PJM_DC', full_name: 'PJM District of Columbia', parent: 'PJM', box: [38.79, 39, -77.12, -76.9] },
];

export const PERIOD_MS = 300_000;
const DAY_MS = 86_400_000;
const MAX_HISTORICAL_MS = 32 * DAY_MS;
const SIGNALS = ['co2_moer', 'co2_aoer', 'health_damage'];
const ALL_ENDPOINTS: WattTimeEndpoint[] = ['v3/forecast', 'v3/historical'];
const DOCS = 'https://docs.watttime.org/';
const LEVELS: Record<string, number> = { co2_moer: 900, co2_aoer: 650, health_damage: 45 };
// health_damage units are undocumented upstream; this string is the fake's own choice.
const UNITS: Record<string, string> = { co2_moer: 'lbs_co2_per_mwh', co2_aoer: 'lbs_co2_per_mwh', health_damage: 'usd_per_mwh' };
const TZ_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;
const NAIVE_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/;

function regionOffset(region: string): number {
  return [...region].reduce((sum, c) => sum + c.charCodeAt(0), 0) % 50;
}

function dayPhase(ms: number): number {
  return (((ms % DAY_MS) + DAY_MS) % DAY_MS / DAY_MS) * 2 * Math.PI;
}

/** The value the fake serves for a region, signal and point time (one decimal). */
export function fakeValue(region: string, signalType: string, time: Date | number): number {
  const ms = typeof time === 'number' ? time : time.getTime();
  const level = LEVELS[signalType] ?? 500;
  return Math.round((level + regionOffset(region) + level * 0.2 * Math.sin(dayPhase(ms))) * 10) / 10;
}

/** The signal-index percentile (0–100, whole) the fake serves for a region at a point time. */
export function fakeIndexValue(region: string, time: Date | number): number {
  const ms = typeof time === 'number' ? time : time.getTime();
  return Math.round(50 + 49 * Math.sin(dayPhase(ms) + regionOffset(region)));
}

/** A time as WattTime writes it: `2022-07-15T00:00:00+00:00`. */
export function wattTimeTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

const floorPeriod = (ms: number) => Math.floor(ms / PERIOD_MS) * PERIOD_MS;
const problem = (status: number, error: string, message: string): FakeReply => ({ status, body: { error, message, docs: DOCS } });
const invalid = (loc: string[], msg: string, type: string): FakeReply => ({ status: 422, body: { detail: [{ loc, msg, type }] } });

/** FastAPI's 422 for the first missing query parameter, or for a signal_type outside the enum. */
function queryProblem(q: URLSearchParams, names: string[]): FakeReply | undefined {
  const absent = names.find((name) => !q.get(name));
  if (absent) return invalid(['query', absent], 'field required', 'value_error.missing');
  const signal = q.get('signal_type');
  if (signal !== null && !SIGNALS.includes(signal)) {
    const permitted = SIGNALS.map((s) => `'${s}'`).join(', ');
    return invalid(['query', 'signal_type'], `value is not a valid enumeration member; permitted: ${permitted}`, 'type_error.enum');
  }
  return undefined;
}

function timeParam(q: URLSearchParams, name: string): number | FakeReply {
  const text = q.get(name) ?? '';
  if (NAIVE_TIME.test(text)) return problem(400, 'INVALID_QUERY_PARAMS', `${name} must include a timezone, e.g. 2022-07-15T00:00+00:00`);
  const ms = TZ_TIME.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(ms) ? invalid(['query', name], 'invalid datetime format', 'value_error.datetime') : ms;
}

interface Account {
  username: string;
  password: string;
  access: WattTimeAccess[];
}

/** The routes and state behind one fake; counters live on the {@link FakeWattTime} it serves. */
class WattTimeRoutes {
  private readonly now: () => number;
  private readonly secret = randomBytes(32).toString('hex');
  private readonly windowMinutes: number;
  private readonly logins: RollingWindow;
  private readonly calls: RollingWindow;
  private readonly users = new Map<string, Account>();
  private readonly tokens = new Map<string, { username: string; expiresAtMs: number; revoked: boolean }>();
  warnings: WattTimeWarning[] = [];
  private readonly routes: Record<string, (req: FakeRequest, account: Account) => FakeReply> = {
    '/v3/forecast': (req, account) => this.forecast(req, account),
    '/v3/historical': (req, account) => this.historical(req, account),
    '/v3/signal-index': (req, account) => this.signalIndex(req, account),
    '/v3/region-from-loc': (req) => regionFromLoc(req.query),
    '/v3/my-access': (req, account) => myAccess(req.query, account),
  };

  constructor(
    private readonly fake: FakeWattTime,
    private readonly opts: FakeWattTimeOptions,
  ) {
    this.now = opts.now ?? Date.now;
    const windowMs = opts.limitWindowMs ?? 300_000;
    this.windowMinutes = windowMs / 60_000;
    this.logins = new RollingWindow(opts.loginLimit ?? 100, windowMs);
    this.calls = new RollingWindow(opts.requestLimit ?? 3000, windowMs);
  }

  addUser(username: string, password: string, access: readonly WattTimeAccess[] = DEFAULT_ACCESS): void {
    this.users.set(username, { username, password, access: access.map((a) => ({ ...a })) });
  }

  revokeAll(): void {
    for (const issued of this.tokens.values()) issued.revoked = true;
  }

  handle(req: FakeRequest): FakeReply {
    if (req.path === '/login') return this.login(req);
    if (req.path === '/register') return this.register(req);
    const route = this.routes[req.path];
    if (!route) return { status: 404, body: { detail: 'Not Found' } };
    if (req.method !== 'GET') return { status: 405, body: { detail: 'Method Not Allowed' } };
    const account = this.authenticate(req);
    if ('status' in account) return account;
    if (!this.calls.allow(account.username, this.now())) {
      const limit = this.opts.requestLimit ?? 3000;
      return problem(429, 'TOO_MANY_REQUESTS', `Rate limit exceeded: at most ${limit} requests per ${this.windowMinutes} minutes`);
    }
    return route(req, account);
  }

  private login(req: FakeRequest): FakeReply {
    this.fake.loginCount += 1;
    const { username, password } = basicCredentials(req.headers.authorization) ?? { username: '', password: '' };
    if (!this.logins.allow(username, this.now())) {
      const limit = this.opts.loginLimit ?? 100;
      return problem(429, 'TOO_MANY_REQUESTS', `Too many logins: at most ${limit} per ${this.windowMinutes} minutes`);
    }
    const account = this.users.get(username);
    if (!username || !account || account.password !== password) {
      return this.fake.loginFailureBody === 'nginx-html'
        ? { status: 403, body: NGINX_403_PAGE, headers: { 'content-type': 'text/html', server: 'nginx' } }
        : problem(403, 'FORBIDDEN', 'Invalid username or password');
    }
    const seconds = this.now() / 1000;
    const [iat, exp, jti] = [Math.floor(seconds), Math.ceil(seconds + this.fake.tokenLifetimeSeconds), randomUUID()];
    const token = signJwt({ sub: username, iat, exp, jti }, this.secret);
    this.tokens.set(jti, { username, expiresAtMs: exp * 1000, revoked: false });
    this.fake.tokensIssued.push(token);
    return { status: 200, body: { token } };
  }

  private register(req: FakeRequest): FakeReply {
    if (req.method !== 'POST') return { status: 405, body: { detail: 'Method Not Allowed' } };
    const body = jsonObject(req.body);
    if (!body) return invalid(['body'], 'field required', 'value_error.missing');
    const missing = ['username', 'password', 'email'].find((f) => typeof body[f] !== 'string' || body[f] === '');
    if (missing) return invalid(['body', missing], 'field required', 'value_error.missing');
    const [username, password, email] = [body.username, body.password, body.email] as string[];
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email!)) return invalid(['body', 'email'], 'value is not a valid email address', 'value_error.email');
    if (password!.length < 8 || !/[a-z]/i.test(password!) || !/\d/.test(password!) || !/[^a-z\d]/i.test(password!)) {
      return { status: 400, body: { error: 'Password must be at least 8 characters, with at least 1 of each alpha, number and special characters.' } };
    }
    if (this.users.has(username!)) return { status: 400, body: { error: 'That username is taken. Please choose another.' } };
    this.addUser(username!, password!);
    this.fake.registrations.push({ username: username!, email: email!, org: typeof body.org === 'string' ? body.org : null });
    return { status: 200, body: { user: username, ok: 'User created' } };
  }

  /** The account behind a bearer token, or the 401 to answer. */
  private authenticate(req: FakeRequest): Account | FakeReply {
    const token = bearerToken(req.headers.authorization);
    if (!token) return problem(401, 'UNAUTHORIZED', 'Missing bearer token; call /login for one');
    this.fake.tokensSeen.push(token);
    const claims = verifyJwt(token, this.secret);
    const issued = typeof claims?.jti === 'string' ? this.tokens.get(claims.jti) : undefined;
    if (!issued) return problem(401, 'UNAUTHORIZED', 'Invalid token');
    const expired = this.now() >= issued.expiresAtMs;
    if (expired) this.fake.expiredTokenRequests += 1;
    if (issued.revoked) return problem(401, 'UNAUTHORIZED', 'Token revoked; call /login for a new one');
    if (expired) return problem(401, 'UNAUTHORIZED', 'Token expired; call /login for a new one');
    return this.users.get(issued.username) ?? problem(401, 'UNAUTHORIZED', 'Unknown user');
  }

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
    return { data_point_period_seconds: PERIOD_MS / 1000, region, warnings: this.warnings, signal_type: signal, model, units: UNITS[signal] };
  }

  private forecast(req: FakeRequest, account: Account): FakeReply {
    const s = this.series(req.query, account, 'v3/forecast');
    if ('status' in s) return s;
    const text = req.query.get('horizon_hours') ?? '24';
    const hours = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!(hours >= 0 && hours <= 72)) return invalid(['query', 'horizon_hours'], 'ensure this value is between 0 and 72', 'value_error.number');
    const start = floorPeriod(this.now());
    const meta = { ...this.meta(s.region, s.signal, req.query), generated_at_period_seconds: PERIOD_MS / 1000, generated_at: wattTimeTime(start) };
    return { status: 200, body: { data: grid(s.region, s.signal, start, hours === 0 ? 1 : hours * 12), meta } };
  }

  private historical(req: FakeRequest, account: Account): FakeReply {
    const bad = queryProblem(req.query, ['start', 'end']);
    if (bad) return bad;
    const [start, end] = [timeParam(req.query, 'start'), timeParam(req.query, 'end')];
    if (typeof start !== 'number') return start;
    if (typeof end !== 'number') return end;
    if (end < start) return problem(400, 'INVALID_QUERY_PARAMS', 'end must not be before start');
    if (end - start > MAX_HISTORICAL_MS) return problem(400, 'INVALID_QUERY_PARAMS', 'The maximum query range is 32 days');
    const s = this.series(req.query, account, 'v3/historical');
    if ('status' in s) return s;
    const first = Math.ceil(start / PERIOD_MS) * PERIOD_MS;
    const last = floorPeriod(Math.min(end, this.now()));
    const meta = { ...this.meta(s.region, s.signal, req.query), model: { date: '2023-03-01', type: 'binned_regression' } };
    return { status: 200, body: { data: grid(s.region, s.signal, first, (last - first) / PERIOD_MS + 1), meta } };
  }

  private signalIndex(req: FakeRequest, account: Account): FakeReply {
    const s = this.series(req.query, account);
    if ('status' in s) return s;
    if (s.signal !== 'co2_moer') return problem(400, 'INVALID_QUERY_PARAMS', 'signal-index supports signal_type co2_moer only');
    const at = floorPeriod(this.now());
    const meta = { ...this.meta(s.region, s.signal, req.query), units: 'percentile', model: { date: '2022-10-01' } };
    return { status: 200, body: { data: [{ point_time: wattTimeTime(at), value: fakeIndexValue(s.region, at) }], meta } };
  }
}

function grid(region: string, signal: string, fromMs: number, count: number): { point_time: string; value: number }[] {
  return Array.from({ length: Math.max(0, count) }, (_, i) => {
    const t = fromMs + i * PERIOD_MS;
    return { point_time: wattTimeTime(t), value: fakeValue(region, signal, t) };
  });
}

function regionFromLoc(q: URLSearchParams): FakeReply {
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
function myAccess(q: URLSearchParams, account: Account): FakeReply {
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

/** Starts the fake on 127.0.0.1, port 0. */
export async function startFakeWattTime(opts: FakeWattTimeOptions = {}): Promise<FakeWattTime> {
  // Bound below before any request can arrive: I/O callbacks run only after this function resumes.
  let routes!: WattTimeRoutes;
  const base = await startHttpFake((req) => routes.handle(req));
  const fake: FakeWattTime = Object.assign(base, {
    addUser: (username: string, password: string, access?: WattTimeAccess[]) => routes.addUser(username, password, access),
    revokeAllTokens: () => routes.revokeAll(),
    setWarnings: (list: WattTimeWarning[]) => {
      routes.warnings = list.map((w) => ({ ...w }));
    },
    loginCount: 0,
    tokensIssued: [] as string[],
    tokensSeen: [] as string[],
    expiredTokenRequests: 0,
    registrations: [] as FakeWattTime['registrations'],
    tokenLifetimeSeconds: opts.tokenLifetimeSeconds ?? 1800,
    loginFailureBody: opts.loginFailureBody ?? 'json',
  });
  routes = new WattTimeRoutes(fake, opts);
  return fake;
}
