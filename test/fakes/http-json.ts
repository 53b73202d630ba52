import { bearerToken, jsonObject, startHttpFake, type FakeReply, type FakeRequest, type HttpFake } from './http-fake.js';

/**
 * The upstream of the http-json tests: three answer shapes and three sign-in styles.
 * - `GET /intensity` (no key): the UK Carbon Intensity API's shape, `{"data":[{"from","to","intensity":{"forecast","actual","index"}}]}`.
 * - `GET /keyed/prices` with header `x-api-key: KEY`: `{"prices":[{"ts": epoch ms, "eur_mwh"}]}`; a wrong key 401.
 * - `POST /auth/login` (JSON username/password) → `{"access_token", "expires_in"}`; `POST /oauth/token`
 *   (refresh_token grant) → the same; `GET /secure/readings` with a live bearer token:
 *   `{"result":{"items":[{"local":"2026-12-05 18:00","kwh"}]}}` (local London time); else 401.
 */
export interface FakeHttpJson extends HttpFake {
  /** Makes every token issued so far invalid (the next data request gets a 401). */
  revokeTokens(): void;
  loginCount(): number;
  requestCount(): number;
}

export const FAKE_KEY = 'fake-http-json-key-7f3a';
export const FAKE_USER = { username: 'meter-user', password: 'S3cret-Passw0rd!' };
export const FAKE_OAUTH = { client_id: 'fake-client', client_secret: 'fake-client-secret-91', refresh_token: 'fake-refresh-token-5521' };

export const INTENSITY = {
  data: [
    { from: '2026-12-05T17:30Z', to: '2026-12-05T18:00Z', intensity: { forecast: 212, actual: 208, index: 'moderate' } },
    { from: '2026-12-05T18:00Z', to: '2026-12-05T18:30Z', intensity: { forecast: 230, actual: null, index: 'moderate' } },
  ],
};
export const PRICES = { prices: [{ ts: 1796493600000, eur_mwh: 81.5 }, { ts: 1796497200000, eur_mwh: 74.25 }] };
export const READINGS = { result: { items: [{ local: '2026-12-05 18:00', kwh: 0.42 }, { local: '2026-12-05 18:30', kwh: 0.38 }] } };

export async function startFakeHttpJson(): Promise<FakeHttpJson> {
  const live = new Set<string>();
  let logins = 0;
  let issued = 0;
  const grant = (): FakeReply => {
    logins += 1;
    const token = `fake-access-${++issued}-${Math.random().toString(36).slice(2, 10)}`;
    live.add(token);
    return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: 3600 } };
  };
  const handle = (req: FakeRequest): FakeReply => {
    if (req.path === '/intensity' && req.method === 'GET') return { status: 200, body: INTENSITY };
    if (req.path === '/keyed/prices') {
      return req.headers['x-api-key'] === FAKE_KEY ? { status: 200, body: PRICES } : { status: 401, body: { message: 'Invalid API key' } };
    }
    if (req.path === '/auth/login' && req.method === 'POST') {
      const b = jsonObject(req.body);
      return b?.username === FAKE_USER.username && b.password === FAKE_USER.password ? grant() : { status: 401, body: { error: 'invalid username or password' } };
    }
    if (req.path === '/oauth/token' && req.method === 'POST') {
      const form = new URLSearchParams(req.body);
      if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== FAKE_OAUTH.refresh_token) return { status: 400, body: { error: 'invalid_grant' } };
      return grant();
    }
    if (req.path === '/secure/readings') {
      const token = bearerToken(req.headers.authorization);
      return token && live.has(token) ? { status: 200, body: READINGS } : { status: 401, body: { error: 'token expired or invalid' } };
    }
    return { status: 404, body: '<html><head><title>404 Not Found</title></head><body>nginx</body></html>' };
  };
  const fake = await startHttpFake(handle);
  return Object.assign(fake, {
    revokeTokens: () => live.clear(),
    loginCount: () => logins,
    requestCount: () => fake.requests.length,
  });
}
