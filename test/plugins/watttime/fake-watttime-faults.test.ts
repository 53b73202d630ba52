import got, { type Got } from 'got';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeWattTime, type FakeWattTime } from '../../fakes/watttime.js';

// The fault controls and records of the fake WattTime (test/fakes/README.md), read as a client would.

const USER = 'freddo';
const PASSWORD = 'the-best-pass-1!';

let fake: FakeWattTime | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(): Promise<{ fake: FakeWattTime; http: Got }> {
  fake = await startFakeWattTime();
  fake.addUser(USER, PASSWORD);
  const http = got.extend({ prefixUrl: fake.url, throwHttpErrors: false, retry: { limit: 0 }, timeout: { request: 5000 } });
  return { fake, http };
}

async function login(http: Got): Promise<string> {
  const res = await http.get('login', { headers: { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` } });
  expect(res.statusCode).toBe(200);
  return (JSON.parse(res.body) as { token: string }).token;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const json = (body: string) => JSON.parse(body) as Record<string, any>;

describe('fake WattTime: fault controls and records', () => {
  it('fails the next requests with a status, Retry-After and a path filter', async () => {
    const { fake, http } = await start();
    const token = await login(http);
    const date = new Date(Date.now() + 60_000).toUTCString();
    fake.failNext(1, 429, { headers: { 'retry-after': '7' }, path: '/v3/forecast' });
    fake.failNext(1, 429, { headers: { 'retry-after': date }, path: '/v3/forecast' });
    fake.failNext(1, 503, { path: '/v3/forecast' });
    const ask = () => http.get('v3/forecast', { searchParams: { region: 'CAISO_NORTH', signal_type: 'co2_moer' }, headers: bearer(token) });
    expect((await http.get('v3/my-access', { headers: bearer(token) })).statusCode).toBe(200);
    const first = await ask();
    expect([first.statusCode, first.headers['retry-after']]).toEqual([429, '7']);
    const second = await ask();
    expect([second.statusCode, second.headers['retry-after']]).toEqual([429, date]);
    expect((await ask()).statusCode).toBe(503);
    expect((await ask()).statusCode).toBe(200);
    expect(fake.counts['/v3/forecast']).toBe(4);
    expect(fake.requests.map((r) => [r.path, r.auth, r.status])).toEqual([
      ['/login', 'basic', 200],
      ['/v3/my-access', 'bearer', 200],
      ['/v3/forecast', 'bearer', 429],
      ['/v3/forecast', 'bearer', 429],
      ['/v3/forecast', 'bearer', 503],
      ['/v3/forecast', 'bearer', 200],
    ]);
    expect(fake.requests[2]!.query).toEqual({ region: 'CAISO_NORTH', signal_type: 'co2_moer' });
  });

  it('hangs, slows, breaks JSON and cuts bodies short on demand', async () => {
    const { fake, http } = await start();
    const token = await login(http);
    const ask = (timeout = 5000) => http.get('v3/my-access', { headers: bearer(token), timeout: { request: timeout } });
    fake.hangNext(1);
    await expect(ask(300)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect(fake.requests.at(-1)!.status).toBeUndefined();
    fake.malformedNext(1);
    const broken = await ask();
    expect(broken.statusCode).toBe(200);
    expect(() => JSON.parse(broken.body)).toThrow();
    fake.closeMidBodyNext(1);
    await expect(ask()).rejects.toThrow();
    fake.slow(250);
    const started = Date.now();
    expect((await ask()).statusCode).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    fake.slow(0);
    expect((await ask()).statusCode).toBe(200);
  });

  it('reports the warnings it is given in meta.warnings', async () => {
    const { fake, http } = await start();
    const token = await login(http);
    fake.setWarnings([{ type: 'MISSING_DATA', message: 'Some data was imputed' }]);
    const res = await http.get('v3/signal-index', { searchParams: { region: 'CAISO_NORTH' }, headers: bearer(token) });
    expect(json(res.body).meta.warnings).toEqual([{ type: 'MISSING_DATA', message: 'Some data was imputed' }]);
  });
});
