import { bearerToken, jsonObject, startHttpFake, type FakeReply, type FakeRequest, type HttpFake } from './http-fake.js';

/**
 * Tibber's GraphQL API (`POST /v1-beta/gql`, `Authorization: Bearer <token>`), as
 * ../shared/apis/electricity-pricing.md §2.1 describes it. No GraphQL engine: the fake tells the
 * two documents the plugin sends apart by their text (`homes { … }`, `home(id: $homeId)`).
 */

/** The id of Tibber's public demo home (pyTibber's tests). */
export const DEMO_HOME_ID = '96a14971-525a-4420-aae9-e5aedaa129ff';

/** A missing or invalid token since 2025-01-03: HTTP 200 with UNAUTHENTICATED (pyTibber's tests). */
export const INVALID_TOKEN_BODY = {
  errors: [
    {
      message: 'invalid token',
      locations: [{ line: 1, column: 3 }],
      path: ['viewer'],
      extensions: { code: 'UNAUTHENTICATED' },
    },
  ],
  data: null,
};

export type FakeTibberResolution = 'QUARTER_HOURLY' | 'HOURLY';

export interface FakeTibberHome {
  id: string;
  timeZone: string;
  subscriptions: { status: string }[];
}

export interface FakeTibberQuery {
  query: string;
  variables: Record<string, unknown>;
  userAgent: string | undefined;
  contentType: string | undefined;
}

export interface FakeTibber extends HttpFake {
  /** The token it accepts. */
  token: string;
  /** The account's homes (default: the demo home, Europe/Stockholm, subscription running). */
  homes: FakeTibberHome[];
  /** The answer to a prices query of `homeId` at `resolution`: a whole recorded response body. */
  setPrices(homeId: string, resolution: FakeTibberResolution, body: unknown): void;
  /** Every GraphQL document received, with its variables and headers. */
  queries: FakeTibberQuery[];
}

const RESOLUTION = /priceInfo\s*\(\s*resolution:\s*([A-Z_]+)\s*\)/;

function graphqlError(status: number, message: string, code?: string): FakeReply {
  return { status, body: { errors: [{ message, ...(code ? { extensions: { code } } : {}) }] } };
}

export async function startFakeTibber(options: { token?: string } = {}): Promise<FakeTibber> {
  const prices = new Map<string, unknown>();
  const state = {
    token: options.token ?? 'tibber-token-5c1a9e',
    homes: [{ id: DEMO_HOME_ID, timeZone: 'Europe/Stockholm', subscriptions: [{ status: 'running' }] }] as FakeTibberHome[],
    queries: [] as FakeTibberQuery[],
  };
  // Tests change `token` and `homes` on the returned fake; the routes read them from there.
  let fake: FakeTibber | undefined;
  const live = () => fake ?? state;

  const pricesOf = (homeId: unknown, resolution: string): FakeReply => {
    const home = live().homes.find((h) => h.id === homeId);
    // Assumed shape: the notes do not quote Tibber's answer for a home of another account.
    if (!home) return { status: 200, body: { data: { viewer: { home: null } }, errors: [{ message: 'Could not find home', path: ['viewer', 'home'] }] } };
    if (!home.subscriptions.some((s) => s.status === 'running')) {
      return { status: 200, body: { data: { viewer: { home: { currentSubscription: null } } } } };
    }
    const recorded = prices.get(`${home.id}|${resolution}`);
    const empty = { data: { viewer: { home: { currentSubscription: { priceInfo: { current: null, today: [], tomorrow: [] } } } } } };
    return { status: 200, body: recorded ?? empty };
  };

  const handle = (req: FakeRequest): FakeReply => {
    if (req.path !== '/v1-beta/gql' || req.method !== 'POST') return { status: 404, body: { message: 'Not Found' } };
    if (bearerToken(req.headers.authorization) !== live().token) return { status: 200, body: INVALID_TOKEN_BODY };
    const body = jsonObject(req.body);
    if (!body || typeof body.query !== 'string') return graphqlError(400, 'Syntax Error: Unexpected <EOF>.', 'GRAPHQL_PARSE_FAILED');
    const variables = (body.variables && typeof body.variables === 'object' ? body.variables : {}) as Record<string, unknown>;
    const ua = req.headers['user-agent'];
    state.queries.push({ query: body.query, variables, userAgent: ua, contentType: req.headers['content-type'] });
    if (/\bhomes\s*\{/.test(body.query)) return { status: 200, body: { data: { viewer: { homes: live().homes } } } };
    if (/\bhome\s*\(\s*id:\s*\$homeId\s*\)/.test(body.query)) {
      const resolution = RESOLUTION.exec(body.query)?.[1] ?? 'HOURLY';
      if (resolution !== 'HOURLY' && resolution !== 'QUARTER_HOURLY') return graphqlError(400, 'Bad request');
      return pricesOf(variables.homeId, resolution);
    }
    return graphqlError(400, 'Syntax Error: this fake knows only the homes and prices queries.', 'GRAPHQL_PARSE_FAILED');
  };

  fake = Object.assign(await startHttpFake(handle), {
    token: state.token,
    homes: state.homes,
    queries: state.queries,
    setPrices: (homeId: string, resolution: FakeTibberResolution, body: unknown) => void prices.set(`${homeId}|${resolution}`, body),
  });
  return fake;
}
