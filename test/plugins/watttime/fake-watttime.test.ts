import got, { type Got } from 'got';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeJwt } from '../../fakes/jwt.js';
import {
  fakeIndexValue,
  fakeValue,
  INVALID_SCOPE_MESSAGE,
  PERIOD_MS,
  startFakeWattTime,
  wattTimeTime,
  type FakeWattTime,
  type FakeWattTimeOptions,
} from '../../fakes/watttime.js';

// The fake must follow ../shared/apis/watttime.md; these tests read it as a client would.

const USER = 'freddo';
const PASSWORD = 'the-best-pass-1!';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

let fake: FakeWattTime | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(opts: FakeWattTimeOptions = {}): Promise<{ fake: FakeWattTime; http: Got }> {
  fake = await startFakeWattTime(opts);
  fake.addUser(USER, PASSWORD);
  const http = got.extend({ prefixUrl: fake.url, throwHttpErrors: false, retry: { limit: 0 }, timeout: { request: 5000 } });
  return { fake, http };
}

async function login(http: Got, user = USER, password = PASSWORD): Promise<string> {
  const res = await http.get('login', { headers: { authorization: basic(user, password) } });
  expect(res.statusCode).toBe(200);
  return (JSON.parse(res.body) as { token: string }).token;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const json = (body: string) => JSON.parse(body) as Record<string, any>;

describe('fake WattTime: login and tokens', () => {
  it('exchanges Basic credentials for a signed JWT that opens the data endpoints', async () => {
    const { fake, http } = await start();
    const token = await login(http);
    const claims = decodeJwt(token)!;
    expect(claims.sub).toBe(USER);
    expect(claims.exp! - claims.iat!).toBeGreaterThanOrEqual(1800);
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(1801);
    expect(typeof claims.jti).toBe('string');
    const res = await http.get('v3/signal-index', { searchParams: { region: 'CAISO_NORTH' }, headers: bearer(token) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-fake-id']).toBe(fake.id);
    expect(fake.loginCount).toBe(1);
    expect(fake.tokensSeen).toEqual([token]);
  });

  it('refuses bad credentials with 403, as JSON or as nginx HTML', async () => {
    const { fake, http } = await start();
    const wrong = await http.get('login', { headers: { authorization: basic(USER, 'nope') } });
    expect(wrong.statusCode).toBe(403);
    expect(json(wrong.body).message).toMatch(/invalid username or password/i);
    expect((await http.get('login')).statusCode).toBe(403);
    fake.loginFailureBody = 'nginx-html';
    const html = await http.get('login', { headers: { authorization: basic('ghost', PASSWORD) } });
    expect(html.statusCode).toBe(403);
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.body).toContain('<title>403 Forbidden</title>');
    expect(html.body).toContain('<center>nginx</center>');
    expect(fake.loginCount).toBe(3);
  });

  it('answers 401 to an expired token and counts that it was presented', async () => {
    let now = Date.UTC(2024, 5, 18, 18, 42, 17);
    const { fake, http } = await start({ tokenLifetimeSeconds: 5, now: () => now });
    const token = await login(http);
    const ask = (t: string) => http.get('v3/forecast', { searchParams: { region: 'CAISO_NORTH', signal_type: 'co2_moer' }, headers: bearer(t) });
    now += 4000;
    expect((await ask(token)).statusCode).toBe(200);
    expect(fake.expiredTokenRequests).toBe(0);
    now += 2000;
    const expired = await ask(token);
    expect(expired.statusCode).toBe(401);
    expect(json(expired.body).message).toMatch(/expired/i);
    expect(fake.expiredTokenRequests).toBe(1);
    expect((await ask(await login(http))).statusCode).toBe(200);
  });

  it('answers 401 to revoked, forged and missing tokens', async () => {
    const { fake, http } = await start();
    const token = await login(http);
    fake.revokeAllTokens();
    const ask = (headers: Record<string, string>) => http.get('v3/my-access', { headers });
    expect((await ask(bearer(token))).statusCode).toBe(401);
    const [header, , signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ sub: USER, exp: 4102444800, jti: 'x' })).toString('base64url')}.${signature}`;
    expect((await ask(bearer(forged))).statusCode).toBe(401);
    expect((await ask({})).statusCode).toBe(401);
    expect(json((await ask({})).body).error).toBe('UNAUTHORIZED');
    expect((await ask(bearer(await login(http)))).statusCode).toBe(200);
    expect(fake.expiredTokenRequests).toBe(0);
  });

  it('limits logins to 100 per 5 minutes with 429', async () => {
    const { fake, http } = await start();
    for (let i = 0; i < 100; i++) await login(http);
    const refused = await http.get('login', { headers: { authorization: basic(USER, PASSWORD) } });
    expect(refused.statusCode).toBe(429);
    expect(fake.loginCount).toBe(101);
    expect(fake.tokensIssued).toHaveLength(100);
  });

  it('limits data requests per user over the rolling window with 429', async () => {
    let now = Date.UTC(2024, 0, 1);
    const { http } = await start({ requestLimit: 3, now: () => now });
    const token = await login(http);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await http.get('v3/my-access', { headers: bearer(token) })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
    now += 300_000;
    expect((await http.get('v3/my-access', { headers: bearer(token) })).statusCode).toBe(200);
  });
});

describe('fake WattTime: data', () => {
  const NOW = Date.UTC(2024, 5, 18, 18, 42, 17);

  it('serves a 24 h forecast of 288 points from the current 5-minute floor', async () => {
    const { http } = await start({ now: () => NOW });
    const token = await login(http);
    const res = await http.get('v3/forecast', { searchParams: { region: 'CAISO_NORTH', signal_type: 'co2_moer' }, headers: bearer(token) });
    const body = json(res.body);
    expect(body.data).toHaveLength(288);
    expect(body.data[0]).toEqual({ point_time: '2024-06-18T18:40:00+00:00', value: fakeValue('CAISO_NORTH', 'co2_moer', Date.UTC(2024, 5, 18, 18, 40)) });
    expect(body.data[287].point_time).toBe(wattTimeTime(Date.UTC(2024, 5, 18, 18, 40) + 287 * PERIOD_MS));
    expect(body.meta).toMatchObject({
      data_point_period_seconds: 300,
      region: 'CAISO_NORTH',
      signal_type: 'co2_moer',
      units: 'lbs_co2_per_mwh',
      warnings: [],
      generated_at: '2024-06-18T18:40:00+00:00',
      generated_at_period_seconds: 300,
      model: { date: '2023-03-01' },
    });
  });

  it('sizes the forecast by horizon_hours (0 → 1, 72 → 864) and refuses 73', async () => {
    const { http } = await start();
    const token = await login(http);
    const before = Math.floor(Date.now() / PERIOD_MS) * PERIOD_MS;
    const count = async (horizon: string) => {
      const res = await http.get('v3/forecast', { searchParams: { region: 'CAISO_NORTH', signal_type: 'health_damage', horizon_hours: horizon }, headers: bearer(token) });
      return res.statusCode === 200 ? (json(res.body).data as { point_time: string }[]) : res.statusCode;
    };
    const single = (await count('0')) as { point_time: string }[];
    expect(single).toHaveLength(1);
    expect([wattTimeTime(before), wattTimeTime(before + PERIOD_MS)]).toContain(single[0]!.point_time);
    expect(await count('72')).toHaveLength(864);
    expect(await count('73')).toBe(422);
  });

  it('answers 403 with the Invalid scope message outside the plan; the index works anywhere', async () => {
    const { fake, http } = await start();
    const token = await login(http);
    const res = await http.get('v3/forecast', { searchParams: { region: 'PJM_DC', signal_type: 'co2_moer' }, headers: bearer(token) });
    expect(res.statusCode).toBe(403);
    expect(json(res.body)).toEqual({ error: 'FORBIDDEN', message: INVALID_SCOPE_MESSAGE, docs: 'https://docs.watttime.org/' });
    expect(json(res.body).message).toMatch(/^Invalid scope\. .*free access to CAISO_NORTH\.$/);
    const aoer = await http.get('v3/forecast', { searchParams: { region: 'CAISO_NORTH', signal_type: 'co2_aoer' }, headers: bearer(token) });
    expect(aoer.statusCode).toBe(403);
    const index = await http.get('v3/signal-index', { searchParams: { region: 'PJM_DC' }, headers: bearer(token) });
    expect(index.statusCode).toBe(200);
    const body = json(index.body);
    expect(body.data).toHaveLength(1);
    expect(body.data[0].value).toBe(fakeIndexValue('PJM_DC', Date.parse(body.data[0].point_time)));
    expect(body.meta).toMatchObject({ region: 'PJM_DC', signal_type: 'co2_moer', units: 'percentile' });
    fake.addUser('analyst', PASSWORD, [{ region: 'PJM_DC', signal_type: 'co2_moer', endpoints: ['v3/historical'] }]);
    const other = await login(http, 'analyst');
    const range = { start: '2024-06-18T00:00:00Z', end: '2024-06-18T01:00:00Z' };
    const hist = await http.get('v3/historical', { searchParams: { region: 'PJM_DC', signal_type: 'co2_moer', ...range }, headers: bearer(other) });
    expect(hist.statusCode).toBe(200);
    const fc = await http.get('v3/forecast', { searchParams: { region: 'PJM_DC', signal_type: 'co2_moer' }, headers: bearer(other) });
    expect(fc.statusCode).toBe(403);
  });

  it('serves historical data inclusively, up to 32 days, with timezones required', async () => {
    const { http } = await start({ now: () => NOW });
    const token = await login(http);
    const ask = (start: string, end: string) =>
      http.get('v3/historical', { searchParams: { region: 'CAISO_NORTH', signal_type: 'co2_moer', start, end }, headers: bearer(token) });
    const hour = json((await ask('2024-06-18T00:00+00:00', '2024-06-18T01:00:00Z')).body);
    expect(hour.data).toHaveLength(13);
    expect(hour.data[12]).toEqual({ point_time: '2024-06-18T01:00:00+00:00', value: fakeValue('CAISO_NORTH', 'co2_moer', Date.UTC(2024, 5, 18, 1)) });
    expect(hour.meta).toMatchObject({ units: 'lbs_co2_per_mwh', model: { type: 'binned_regression' } });
    const full = await ask('2024-05-17T00:00:00Z', '2024-06-18T00:00:00Z');
    expect(full.statusCode).toBe(200);
    expect(json(full.body).data).toHaveLength(32 * 288 + 1);
    const tooLong = await ask('2024-05-16T23:55:00Z', '2024-06-18T00:00:00Z');
    expect(tooLong.statusCode).toBe(400);
    expect(json(tooLong.body)).toMatchObject({ error: 'INVALID_QUERY_PARAMS', message: expect.stringMatching(/32 days/) });
    const naive = await ask('2024-06-18T00:00:00', '2024-06-18T01:00:00Z');
    expect(naive.statusCode).toBe(400);
    expect(json(naive.body).message).toMatch(/timezone/);
    const missing = await http.get('v3/historical', { searchParams: { region: 'CAISO_NORTH', signal_type: 'co2_moer' }, headers: bearer(token) });
    expect(missing.statusCode).toBe(422);
    expect(json(missing.body).detail[0].loc).toEqual(['query', 'start']);
    const future = json((await ask('2024-06-18T18:30:00Z', '2024-06-18T20:00:00Z')).body);
    expect(future.data.map((d: { point_time: string }) => d.point_time)).toEqual(['2024-06-18T18:30:00+00:00', '2024-06-18T18:35:00+00:00', '2024-06-18T18:40:00+00:00']);
  });

  it('serves past forecasts per 5-minute generation, at most 24 hours of them, and history published late', async () => {
    const { fake, http } = await start({ now: () => NOW });
    const token = await login(http);
    const ask = (start: string, end: string) =>
      http.get('v3/forecast/historical', { searchParams: { region: 'CAISO_NORTH', signal_type: 'co2_moer', start, end, horizon_hours: '1' }, headers: bearer(token) });
    const hour = json((await ask('2024-06-18T00:00:00+00:00', '2024-06-18T01:00:00+00:00')).body);
    expect(hour.data).toHaveLength(13);
    expect(hour.data[0].generated_at).toBe('2024-06-18T00:00:00+00:00');
    expect(hour.data[0].forecast).toHaveLength(12);
    expect(hour.meta).toMatchObject({ generated_at_period_seconds: 300 });
    expect(hour.meta.generated_at).toBeUndefined();
    expect(json((await ask('2024-06-17T00:00:00Z', '2024-06-18T00:00:00Z')).body).data).toHaveLength(289);
    const tooLong = await ask('2024-06-16T23:55:00Z', '2024-06-18T00:00:00Z');
    expect([tooLong.statusCode, json(tooLong.body).message]).toEqual([400, 'The maximum query range is 24 hours']);
    fake.publicationDelayMs = 3_600_000;
    const late = await http.get('v3/historical', {
      searchParams: { region: 'CAISO_NORTH', signal_type: 'co2_moer', start: '2024-06-18T17:00:00Z', end: '2024-06-18T18:42:17Z' },
      headers: bearer(token),
    });
    expect(json(late.body).data.at(-1).point_time).toBe('2024-06-18T17:40:00+00:00');
  });

  it('finds the region of a location and answers 404 outside coverage', async () => {
    const { http } = await start();
    const token = await login(http);
    const ask = (latitude: string, longitude: string) =>
      http.get('v3/region-from-loc', { searchParams: { latitude, longitude, signal_type: 'co2_moer' }, headers: bearer(token) });
    const denver = await ask('39.7522', '-105.0');
    expect(json(denver.body)).toEqual({ region: 'PSCO', region_full_name: 'Public Service Co of Colorado', signal_type: 'co2_moer' });
    const nowhere = await ask('0', '0');
    expect(nowhere.statusCode).toBe(404);
    expect(json(nowhere.body)).toEqual({
      error: 'No coverage available for these coordinates and signal_type',
      latitude: '0',
      longitude: '0',
      signal_type: 'co2_moer',
    });
  });

  it('describes the account in the my-access hypercube', async () => {
    const { http } = await start();
    const body = json((await http.get('v3/my-access', { headers: bearer(await login(http)) })).body);
    expect(body.signal_types.map((s: { signal_type: string }) => s.signal_type)).toEqual(['co2_moer', 'health_damage']);
    const region = body.signal_types[0].regions[0];
    expect(region).toMatchObject({ region: 'CAISO_NORTH', region_full_name: 'California ISO Northern', parent: 'CAISO', data_point_period_seconds: 300 });
    expect(region.endpoints.map((e: { endpoint: string }) => e.endpoint)).toEqual(['v3/forecast', 'v3/historical']);
    expect(region.endpoints[1].models[0]).toMatchObject({ model: '2023-03-01', data_start: '2020-01-01', type: 'binned_regression' });
  });

  it('registers accounts from a JSON body with the documented validation', async () => {
    const { fake, http } = await start();
    const register = (body: Record<string, unknown>) => http.post('register', { json: body });
    const ok = await register({ username: 'newbie', password: 'abc12345!', email: 'n@example.org', org: 'home' });
    expect(ok.statusCode).toBe(200);
    expect(json(ok.body)).toEqual({ user: 'newbie', ok: 'User created' });
    expect(fake.registrations).toEqual([{ username: 'newbie', email: 'n@example.org', org: 'home' }]);
    expect(json((await register({ username: 'newbie', password: 'abc12345!', email: 'n@example.org' })).body)).toEqual({
      error: 'That username is taken. Please choose another.',
    });
    expect((await register({ username: 'weak', password: 'abcdefgh', email: 'w@example.org' })).statusCode).toBe(400);
    const email = await register({ username: 'mail', password: 'abc12345!', email: 'not-an-email' });
    expect(email.statusCode).toBe(422);
    expect(json(email.body).detail[0].loc).toEqual(['body', 'email']);
    const query = await http.post('register', { searchParams: { username: 'q', password: 'abc12345!', email: 'q@example.org' } });
    expect(query.statusCode).toBe(422);
    const token = await login(http, 'newbie', 'abc12345!');
    const fc = await http.get('v3/forecast', { searchParams: { region: 'CAISO_NORTH', signal_type: 'co2_moer' }, headers: bearer(token) });
    expect(fc.statusCode).toBe(200);
  });
});
