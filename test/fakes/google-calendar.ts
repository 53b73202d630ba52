/**
 * Fake Google APIs for the `google-calendar` plugin and `homeiq google-auth`, following
 * ../shared/apis/calendar.md §3.1–3.2: the OAuth token endpoint and device flow, the consent page,
 * and `events.list` with pages, sync tokens and Google's error bodies. test/fakes/README.md lists
 * every route and control.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = Record<string, unknown>;
export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  form: Record<string, string>;
  auth: string | undefined;
}

/** Google's own error bodies, for `failNext`. */
export const GOOGLE_ERRORS = {
  rateLimit403: { error: { errors: [{ domain: 'usageLimits', reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded' }], code: 403, message: 'Rate Limit Exceeded' } },
  rateLimit429: { error: { errors: [{ domain: 'usageLimits', reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded' }], code: 429, message: 'Rate Limit Exceeded' } },
  backend503: { error: { errors: [{ domain: 'global', reason: 'backendError', message: 'Backend Error' }], code: 503, message: 'Backend Error' } },
  fullSyncRequired410: {
    error: {
      errors: [{ domain: 'calendar', reason: 'fullSyncRequired', message: 'Sync token is no longer valid, a full sync is required.', locationType: 'parameter', location: 'syncToken' }],
      code: 410,
      message: 'Sync token is no longer valid, a full sync is required.',
    },
  },
};
const AUTH_ERROR = {
  error: {
    code: 401,
    message: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
    errors: [{ message: 'Invalid Credentials', domain: 'global', reason: 'authError', location: 'Authorization', locationType: 'header' }],
    status: 'UNAUTHENTICATED',
  },
};
const badRequest = (message: string) => ({ error: { errors: [{ domain: 'global', reason: 'invalid', message }], code: 400, message } });
const SYNC_CONFLICTS = ['timeMin', 'timeMax', 'orderBy', 'q', 'iCalUID', 'updatedMin', 'privateExtendedProperty', 'sharedExtendedProperty'];

export interface FakeGoogle {
  url: string;
  clientId: string;
  clientSecret: string;
  /** The refresh token the user consented with; tokens from the code and device flows are added. */
  refreshToken: string;
  /** Calendars it knows (`primary` and ids); others get 404. */
  calendars: Set<string>;
  timeZone: string;
  summary: string;
  /** `expires_in` of access tokens (Google: 3599). */
  tokenLifetime: number;
  /** Caps every page (Google shortens pages at will). */
  pageSize: number;
  /** The consent page's answer, and the device flow's: approved after `deviceApproveAfter` polls. */
  consent: 'allow' | 'deny';
  deviceOutcome: 'approve' | 'deny' | 'expire';
  deviceApproveAfter: number;
  deviceInterval: number;
  /** False: the client is not of the "TVs and Limited Input devices" type. */
  deviceClientAllowed: boolean;
  requests: LoggedRequest[];
  /** Seeds the calendar from a recorded `events.list` body (envelope and items). */
  load(body: Json): void;
  upsert(item: Json): void;
  /** Deletes an event: incremental syncs report it as `{id, status: "cancelled"}`. */
  cancel(id: string): void;
  /** Every sync token issued so far answers 410 from now on. */
  expireSyncTokens(): void;
  /** The next n requests of `endpoint` get this answer verbatim. */
  /** Answers the next n requests of `endpoint` (events.list unless given; `path: '/token'` also picks the token endpoint). */
  failNext(n: number, status: number, options?: { headers?: Record<string, string>; body?: string | Json; endpoint?: 'events' | 'token'; path?: string }): void;
  revokeTokens(): void;
  loginCount(): number;
  requestCount(): number;
  close(): Promise<void>;
}

type Form = Record<string, string>;
type Reply = { status: number; body: Json | string; headers?: Record<string, string> };
const json = (status: number, body: Json, headers?: Record<string, string>): Reply => ({ status, body, ...(headers ? { headers } : {}) });
const INVALID_CLIENT = { error: 'invalid_client', error_description: 'The OAuth client was not found.' };
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** The fake's state and its routes, one short method each. */
class FakeGoogleServer implements FakeGoogle {
  url = '';
  clientId = 'fake-client-1234.apps.googleusercontent.com';
  clientSecret = 'GOCSPX-fake-secret-5678';
  refreshToken = '1//fake-refresh-token-abcdef';
  calendars = new Set(['primary', 'family@group.calendar.google.com']);
  timeZone = 'Europe/Berlin';
  summary = 'Family';
  tokenLifetime = 3599;
  pageSize = 2500;
  consent: 'allow' | 'deny' = 'allow';
  deviceOutcome: 'approve' | 'deny' | 'expire' = 'approve';
  deviceApproveAfter = 1;
  deviceInterval = 5;
  deviceClientAllowed = true;
  requests: LoggedRequest[] = [];
  private readonly store = new Map<string, { item: Json; seq: number }>();
  private seq = 0;
  private minSyncSeq = 0;
  private grants = 0;
  private readonly pages = new Map<string, { rest: Json[]; syncSeq: number; size: number }>();
  private readonly tokens = new Map<string, number>();
  private readonly issuedRefresh = new Set<string>();
  private readonly codes = new Map<string, { challenge: string; redirectUri: string }>();
  private readonly devices = new Map<string, { polls: number }>();
  private readonly canned: Record<'events' | 'token', Reply[]> = { events: [], token: [] };
  readonly server: Server = createServer((req, res) => this.receive(req, res));

  load(body: Json): void {
    if (typeof body.timeZone === 'string') this.timeZone = body.timeZone;
    if (typeof body.summary === 'string') this.summary = body.summary;
    for (const item of (body.items as Json[] | undefined) ?? []) this.upsert(item);
  }
  upsert(item: Json): void {
    this.store.set(String(item.id), { item: structuredClone(item), seq: ++this.seq });
  }
  cancel(id: string): void {
    this.store.set(id, { item: { ...this.store.get(id)?.item, id, status: 'cancelled' }, seq: ++this.seq });
  }
  expireSyncTokens(): void {
    this.minSyncSeq = this.seq + 1;
  }
  failNext(n: number, status: number, o: { headers?: Record<string, string>; body?: string | Json; endpoint?: 'events' | 'token'; path?: string } = {}): void {
    const body = o.body ?? { error: { code: status, message: `fake failure ${status}` } };
    const endpoint = o.endpoint ?? (o.path === '/token' ? 'token' : 'events');
    for (let i = 0; i < n; i++) this.canned[endpoint].push({ status, body, headers: { 'content-type': 'application/json; charset=UTF-8', ...o.headers } });
  }
  revokeTokens = (): void => this.tokens.clear();
  loginCount = (): number => this.grants;
  requestCount = (): number => this.requests.length;
  close = async (): Promise<void> => {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  };

  private receive(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const query = Object.fromEntries(url.searchParams);
      const form: Form = Object.fromEntries(new URLSearchParams(raw));
      this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query, form, auth: req.headers.authorization });
      const reply = this.route(req.method ?? 'GET', url.pathname, query, form, req.headers.authorization);
      const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      const type = typeof reply.body === 'string' ? 'text/html; charset=utf-8' : 'application/json; charset=UTF-8';
      res.writeHead(reply.status, { 'content-type': type, ...reply.headers });
      res.end(text);
    });
  }

  private route(method: string, path: string, query: Form, form: Form, auth: string | undefined): Reply {
    const cal = /^\/calendar\/v3\/calendars\/([^/]+)\/events$/.exec(path);
    if (method === 'POST' && path === '/token') return this.canned.token.shift() ?? this.token(form);
    if (method === 'POST' && path === '/device/code') return this.deviceCode(form);
    if (method === 'GET' && path === '/o/oauth2/v2/auth') return this.consentPage(query);
    if (method === 'GET' && cal) return this.events(decodeURIComponent(cal[1]!), query, auth);
    return json(404, { error: { code: 404, message: 'Not Found' } });
  }

  private issue(extra: Json = {}): Json {
    this.grants += 1;
    const token = `ya29.fake-${randomBytes(12).toString('hex')}`;
    this.tokens.set(token, Date.now() + this.tokenLifetime * 1000);
    return { access_token: token, expires_in: this.tokenLifetime, scope: 'https://www.googleapis.com/auth/calendar.readonly', token_type: 'Bearer', ...extra };
  }

  /** A grant of the code and device flows: a new refresh token, good for the refresh grant. */
  private consented(): Reply {
    const refresh = `1//fake-refresh-${randomBytes(8).toString('hex')}`;
    this.issuedRefresh.add(refresh);
    return json(200, this.issue({ refresh_token: refresh }));
  }

  private token(f: Form): Reply {
    if (f.client_id !== this.clientId || f.client_secret !== this.clientSecret) return json(401, INVALID_CLIENT);
    if (f.grant_type === 'refresh_token') {
      const known = f.refresh_token === this.refreshToken || this.issuedRefresh.has(f.refresh_token ?? '');
      return known ? json(200, this.issue()) : json(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
    }
    if (f.grant_type === 'authorization_code') {
      const code = this.codes.get(f.code ?? '');
      const challenge = createHash('sha256').update(f.code_verifier ?? '').digest('base64url');
      if (!code || code.redirectUri !== f.redirect_uri || code.challenge !== challenge) {
        return json(400, { error: 'invalid_grant', error_description: 'Malformed auth code.' });
      }
      this.codes.delete(f.code!);
      return this.consented();
    }
    if (f.grant_type === DEVICE_GRANT) return this.devicePoll(f.device_code ?? '');
    return json(400, { error: 'unsupported_grant_type', error_description: `Invalid grant_type: ${f.grant_type ?? ''}` });
  }

  private devicePoll(deviceCode: string): Reply {
    const device = this.devices.get(deviceCode);
    if (!device) return json(400, { error: 'invalid_grant', error_description: 'Malformed device code.' });
    device.polls += 1;
    if (this.deviceOutcome === 'expire') return json(400, { error: 'expired_token', error_description: 'Bad Request' });
    if (device.polls < this.deviceApproveAfter) return json(428, { error: 'authorization_pending', error_description: 'Precondition Required' });
    if (this.deviceOutcome === 'deny') return json(403, { error: 'access_denied', error_description: 'Forbidden' });
    this.devices.delete(deviceCode);
    return this.consented();
  }

  private deviceCode(f: Form): Reply {
    if (f.client_id !== this.clientId) return json(401, INVALID_CLIENT);
    if (!this.deviceClientAllowed) return json(401, { error: 'invalid_client', error_description: 'Invalid client type.' });
    const device_code = `AH-fake-${randomBytes(8).toString('hex')}`;
    this.devices.set(device_code, { polls: 0 });
    return json(200, { device_code, user_code: 'GQVQ-JKEC', verification_url: 'https://www.google.com/device', expires_in: 1800, interval: this.deviceInterval });
  }

  private consentPage(q: Form): Reply {
    if (q.client_id !== this.clientId) return { status: 401, body: '<html><title>Error 401: invalid_client</title></html>' };
    const redirect = q.redirect_uri ?? '';
    if (!/^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+\/?/.test(redirect) || q.response_type !== 'code' || q.code_challenge_method !== 'S256') {
      return { status: 400, body: '<html><title>Error 400: invalid_request</title></html>' };
    }
    const target = new URL(redirect);
    if (q.state) target.searchParams.set('state', q.state);
    if (this.consent === 'deny') target.searchParams.set('error', 'access_denied');
    else {
      const code = `4/fake-code-${randomBytes(8).toString('hex')}`;
      this.codes.set(code, { challenge: q.code_challenge ?? '', redirectUri: redirect });
      target.searchParams.set('code', code);
      target.searchParams.set('scope', q.scope ?? '');
    }
    return { status: 302, body: '', headers: { location: target.toString() } };
  }

  private events(calendarId: string, q: Form, auth: string | undefined): Reply {
    const expires = this.tokens.get((auth ?? '').replace(/^Bearer /, ''));
    if (expires === undefined || expires <= Date.now()) return json(401, AUTH_ERROR, { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' });
    const canned = this.canned.events.shift();
    if (canned) return canned;
    if (!this.calendars.has(calendarId)) return json(404, { error: { errors: [{ domain: 'global', reason: 'notFound', message: 'Not Found' }], code: 404, message: 'Not Found' } });
    if (q.syncToken && SYNC_CONFLICTS.some((k) => q[k] !== undefined)) return json(400, badRequest('Sync token cannot be used with other request restrictions.'));
    if (q.orderBy === 'startTime' && q.singleEvents !== 'true') return json(400, badRequest('The requested ordering is not available for the particular query.'));
    const max = q.maxResults === undefined ? 250 : Number(q.maxResults);
    if (!Number.isInteger(max) || max < 1) return json(400, badRequest('Invalid value for: maxResults'));
    const page = q.pageToken === undefined ? this.firstPage(q, Math.min(max, 2500, this.pageSize)) : this.pages.get(q.pageToken);
    if (!page) return json(400, badRequest('Invalid page token value.'));
    if (page === 'gone') return json(410, GOOGLE_ERRORS.fullSyncRequired410);
    return json(200, this.pageBody(page));
  }

  /** Everything a query lists, before it is cut into pages; 'gone' for an expired sync token. */
  private firstPage(q: Form, size: number): { rest: Json[]; syncSeq: number; size: number } | 'gone' | undefined {
    let rows = [...this.store.values()];
    if (q.syncToken !== undefined) {
      const since = Number(/^fake-sync-(\d+)$/.exec(q.syncToken)?.[1] ?? NaN);
      if (Number.isNaN(since)) return undefined;
      if (since < this.minSyncSeq) return 'gone';
      rows = rows.filter((r) => r.seq > since);
    } else {
      const min = q.timeMin ? Date.parse(q.timeMin) : -Infinity;
      const max = q.timeMax ? Date.parse(q.timeMax) : Infinity;
      rows = rows.filter((r) => r.item.status !== 'cancelled' && startOf(r.item.end, Infinity) > min && startOf(r.item.start, -Infinity) < max);
    }
    const items = rows.map((r) => (r.item.status === 'cancelled' ? { kind: 'calendar#event', etag: `"${r.seq}"`, id: r.item.id, status: 'cancelled' } : r.item));
    return { rest: items, syncSeq: this.seq, size };
  }

  private pageBody(page: { rest: Json[]; syncSeq: number; size: number }): Json {
    const envelope: Json = { kind: 'calendar#events', etag: `"p3${this.seq}"`, summary: this.summary, updated: new Date().toISOString(), timeZone: this.timeZone, accessRole: 'owner', defaultReminders: [] };
    if (page.rest.length > page.size) {
      const next = `fake-page-${randomBytes(6).toString('hex')}`;
      this.pages.set(next, { ...page, rest: page.rest.slice(page.size) });
      envelope.nextPageToken = next;
    } else envelope.nextSyncToken = `fake-sync-${page.syncSeq}`;
    return { ...envelope, items: page.rest.slice(0, page.size) };
  }
}

/** All-day dates are taken as UTC midnight here: the fake's window is coarser than Google's. */
function startOf(t: unknown, fallback: number): number {
  const v = t as { date?: string; dateTime?: string } | undefined;
  const ms = Date.parse(v?.dateTime ?? (v?.date ? `${v.date}T00:00:00Z` : ''));
  return Number.isNaN(ms) ? fallback : ms;
}

/** Starts the fake on 127.0.0.1, port 0. With `seed`, the calendar holds one event an hour from now. */
export async function startFakeGoogle(options: { seed?: boolean } = {}): Promise<FakeGoogle> {
  const fake = new FakeGoogleServer();
  if (options.seed) {
    const at = Math.floor(Date.now() / 3_600_000 + 1) * 3_600_000;
    const time = (ms: number) => ({ dateTime: new Date(ms).toISOString() });
    fake.upsert({ kind: 'calendar#event', id: 'seed0001', status: 'confirmed', summary: 'Bin collection', start: time(at), end: time(at + 1_800_000) });
  }
  await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', () => resolve()));
  fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
  return fake;
}
