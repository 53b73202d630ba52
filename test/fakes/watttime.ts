import { randomBytes, randomUUID } from 'node:crypto';
import { basicCredentials, bearerToken, jsonObject, RollingWindow, startHttpFake, type FakeReply, type FakeRequest, type HttpFake } from './http-fake.js';
import { signJwt, verifyJwt } from './jwt.js';
import { invalid, problem } from './watttime/answers.js';
import { DataRoutes, type DataState } from './watttime/data-routes.js';
import { DEFAULT_ACCESS, NGINX_403_PAGE, type Account, type WattTimeAccess, type WattTimeWarning } from './watttime/values.js';

/**
 * A fake WattTime API v3 that follows ../shared/apis/watttime.md: `/login`, `/register` and the
 * `/v3` data endpoints, with JWT bearer tokens that expire, plan scopes and rate limits. Values are
 * a function of region, signal and time ({@link fakeValue}) so tests can predict them. This file
 * holds accounts and tokens; watttime/ holds the data endpoints and values.
 */

export {
  DEFAULT_ACCESS,
  FAKE_REGIONS,
  fakeIndexValue,
  fakeValue,
  INVALID_SCOPE_MESSAGE,
  NGINX_403_PAGE,
  PERIOD_MS,
  wattTimeTime,
} from './watttime/values.js';
export type { WattTimeAccess, WattTimeEndpoint, WattTimeWarning } from './watttime/values.js';

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
  /** How long after its point time a historical value is served (default 0; upstream: minutes to hours). */
  publicationDelayMs: number;
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

/** Accounts, tokens and limits of one fake; counters live on the {@link FakeWattTime} it serves. */
class WattTimeRoutes {
  private readonly now: () => number;
  private readonly secret = randomBytes(32).toString('hex');
  private readonly windowMinutes: number;
  private readonly logins: RollingWindow;
  private readonly calls: RollingWindow;
  private readonly users = new Map<string, Account>();
  private readonly tokens = new Map<string, { username: string; expiresAtMs: number; revoked: boolean }>();
  private readonly data: DataRoutes;

  constructor(
    private readonly fake: FakeWattTime,
    private readonly opts: FakeWattTimeOptions,
    state: DataState,
  ) {
    this.now = opts.now ?? Date.now;
    const windowMs = opts.limitWindowMs ?? 300_000;
    this.windowMinutes = windowMs / 60_000;
    this.logins = new RollingWindow(opts.loginLimit ?? 100, windowMs);
    this.calls = new RollingWindow(opts.requestLimit ?? 3000, windowMs);
    this.data = new DataRoutes(this.now, state);
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
    const route = this.data.routes[req.path];
    if (!route) return { status: 404, body: { detail: 'Not Found' } };
    if (req.method !== 'GET') return { status: 405, body: { detail: 'Method Not Allowed' } };
    const account = this.authenticate(req);
    if ('status' in account) return account;
    if (!this.calls.allow(account.username, this.now())) {
      const limit = this.opts.requestLimit ?? 3000;
      return problem(429, 'TOO_MANY_REQUESTS', `Rate limit exceeded: at most ${limit} requests per ${this.windowMinutes} minutes`);
    }
    return route(req.query, account);
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
}

/** Starts the fake on 127.0.0.1, port 0. */
export async function startFakeWattTime(opts: FakeWattTimeOptions = {}): Promise<FakeWattTime> {
  // Bound below before any request can arrive: I/O callbacks run only after this function resumes.
  let routes!: WattTimeRoutes;
  const base = await startHttpFake((req) => routes.handle(req));
  const state: DataState = { warnings: [], publicationDelayMs: 0 };
  const fake: FakeWattTime = Object.assign(base, {
    addUser: (username: string, password: string, access?: WattTimeAccess[]) => routes.addUser(username, password, access),
    revokeAllTokens: () => routes.revokeAll(),
    setWarnings: (list: WattTimeWarning[]) => {
      state.warnings = list.map((w) => ({ ...w }));
    },
    publicationDelayMs: 0,
    loginCount: 0,
    tokensIssued: [] as string[],
    tokensSeen: [] as string[],
    expiredTokenRequests: 0,
    registrations: [] as FakeWattTime['registrations'],
    tokenLifetimeSeconds: opts.tokenLifetimeSeconds ?? 1800,
    loginFailureBody: opts.loginFailureBody ?? 'json',
  });
  // An accessor (Object.assign would copy a getter's value): the data routes read it per request.
  Object.defineProperty(fake, 'publicationDelayMs', {
    get: () => state.publicationDelayMs,
    set: (ms: number) => void (state.publicationDelayMs = ms),
    enumerable: true,
  });
  routes = new WattTimeRoutes(fake, opts, state);
  return fake;
}
