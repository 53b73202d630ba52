import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import plugin from '../../../plugins/http-json/index.js';
import { createTestSource, type TestSource } from '../../../core/testkit/index.js';
import { FAKE_KEY, FAKE_OAUTH, FAKE_USER, startFakeHttpJson, type FakeHttpJson } from '../../fakes/http-json.js';
import { describeLifecycle } from '../../support/lifecycle-suite.js';

const UK = { url: 'intensity', records: 'data', time: 'from', measurement: 'carbon_intensity', tags: { region: { value: 'GB' }, index: 'intensity.index' }, fields: { forecast: 'intensity.forecast', actual: 'intensity.actual' } };
const KEYED = { url: 'keyed/prices', auth: { style: 'api_key', in: 'header', name: 'X-API-Key' }, records: 'prices', time: 'ts', time_format: 'epoch_ms', measurement: 'electricity_price', fields: { eur_mwh: 'eur_mwh' } };
const LOGIN = {
  url: 'secure/readings',
  auth: { style: 'login', url: 'auth/login', token: 'access_token', expires_in: 'expires_in' },
  records: 'result.items',
  time: 'local',
  time_format: 'local',
  time_zone: 'Europe/London',
  measurement: 'energy',
  fields: { kwh: 'kwh' },
};

let fake: FakeHttpJson;
let src: TestSource | undefined;
beforeEach(async () => {
  fake = await startFakeHttpJson();
});
afterEach(async () => {
  await src?.stop();
  src = undefined;
  await fake.close();
});
const make = async (options: Record<string, unknown>, credentials?: Record<string, string>) =>
  (src = await createTestSource({ plugin, options: { base_url: fake.url, retries: 0, ...options }, credentials }));

describe('http-json: the three README examples against the fake', () => {
  it('no key: UK carbon intensity, a constant and a selected tag, a null actual left out', async () => {
    const run = await (await make(UK)).run();
    expect(run.error?.message).toBeUndefined();
    expect(JSON.parse(JSON.stringify(run.points))).toEqual([
      { measurement: 'carbon_intensity', tags: { region: 'GB', index: 'moderate', source: 'test' }, fields: { forecast: 212, actual: 208 }, time: '2026-12-05T17:30:00.000Z' },
      { measurement: 'carbon_intensity', tags: { region: 'GB', index: 'moderate', source: 'test' }, fields: { forecast: 230 }, time: '2026-12-05T18:00:00.000Z' },
    ]);
    expect(fake.requests[0]).toMatchObject({ method: 'GET', path: '/intensity', auth: 'none' });
  });

  it('a key in a header: epoch milliseconds; the key never in logs or health', async () => {
    const run = await (await make(KEYED, { api_key: FAKE_KEY })).run();
    expect(run.points.map((p) => [p.time.toISOString(), p.fields.eur_mwh])).toEqual([
      ['2026-12-05T18:00:00.000Z', 81.5],
      ['2026-12-05T19:00:00.000Z', 74.25],
    ]);
    const bad = await make(KEYED, { api_key: 'wrong-key-1234' });
    await bad.run();
    expect(bad.health()).toMatchObject({ status: 'error', status_detail: 'credentials_invalid' });
    expect(bad.logs() + JSON.stringify(bad.health())).not.toContain('wrong-key-1234');
  });

  it('a login: the token is reused, a 401 costs one re-login, London local times', async () => {
    await make(LOGIN, FAKE_USER);
    const first = await src!.run();
    expect(first.points.map((p) => p.time.toISOString())).toEqual(['2026-12-05T18:00:00.000Z', '2026-12-05T18:30:00.000Z']);
    await src!.run();
    expect(fake.loginCount()).toBe(1);
    fake.revokeTokens();
    const again = await src!.run();
    expect(again.error?.message).toBeUndefined();
    expect(fake.loginCount()).toBe(2);
    expect(src!.health()).toMatchObject({ status_detail: 'operational', token_refresh_count: 2 });
    expect(src!.logs() + JSON.stringify(src!.health())).not.toContain(FAKE_USER.password);
  });

  it('an OAuth refresh token: exchanged at auth.token_url, no secret shown', async () => {
    const run = await (await make({ ...LOGIN, auth: { style: 'oauth2_refresh', token_url: 'oauth/token' } }, FAKE_OAUTH)).run();
    expect(run.points).toHaveLength(2);
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/oauth/token' });
    const shown = src!.logs() + JSON.stringify(src!.health());
    for (const secret of [FAKE_OAUTH.client_secret, FAKE_OAUTH.refresh_token]) expect(shown).not.toContain(secret);
  });

  it('without credentials a keyed source waits in standby and calls nothing', async () => {
    await make(KEYED, {});
    expect(src!.health()).toMatchObject({ status: 'healthy', status_detail: 'credentials_missing' });
    expect(fake.requests).toHaveLength(0);
  });
});

describe('http-json: bad config is refused at load, naming the key', () => {
  it.each([
    [{ ...UK, time: 'from[' }, 'sources.test.options.time: is not a JMESPath expression'],
    [{ ...UK, fields: { forecast: 'intensity.(' } }, 'sources.test.options.fields.forecast: is not a JMESPath expression'],
    [{ ...UK, time: undefined }, 'sources.test.options.time: is required'],
    [{ ...UK, time_format: 'rfc822' }, 'sources.test.options.time_format: must be one of: iso8601, epoch_s, epoch_ms, local'],
    [{ ...UK, time_format: 'local' }, 'sources.test.options.time_zone: time_format local needs an IANA time zone'],
    [{ ...UK, auth: { style: 'kerberos' } }, 'sources.test.options.auth.style: must be one of: api_key, login, oauth2_refresh'],
    [{ ...LOGIN, auth: { style: 'login', url: 'auth/login', token: 'a..b' } }, 'sources.test.options.auth.token: is not a JMESPath expression'],
  ])('%j', async (options, message) => {
    await expect(make(options)).rejects.toThrow(message);
  });
});

describe('http-json: bad payloads', () => {
  it.each([
    [{ status: 200, body: 'Service temporarily down' }, 'GET intensity: the answer is text, not JSON'],
    [{ status: 200, body: '<html><body>Error</body></html>' }, 'GET intensity: the answer is an HTML or XML page, not JSON'],
    [{ status: 200, body: { data: { from: 'x' } } }, 'records: data selects a object, not a list'],
    [{ status: 200, body: { nothing: [] } }, 'records: data selects nothing, not a list'],
  ])('%j is a data error and nothing is written', async (answer, message) => {
    await make(UK);
    fake.failNext(1, answer.status, { body: answer.body });
    const run = await src!.run();
    expect(run.ok).toBe(false);
    expect(src!.health().last_error?.message).toBe(message);
    expect(src!.points).toEqual([]);
  });

  it('records without a time or with a text value are skipped and named; the good ones kept', async () => {
    await make(UK);
    const good = { from: '2026-12-05T17:30Z', intensity: { forecast: 212 } };
    fake.failNext(1, 200, { body: { data: [good, { intensity: { forecast: 1 } }, { from: '2026-12-05T18:00Z', intensity: { forecast: 'high' } }, { from: 'yesterday', intensity: { forecast: 3 } }] } });
    const run = await src!.run();
    expect(run.points).toHaveLength(1);
    expect(src!.health()).toMatchObject({
      status_detail: 'operational',
      details: { records: 4, skipped_records: 3 },
      item_errors: [
        { item: 'record 1', message: 'record 1: time from is missing' },
        { item: 'record 2', message: 'record 2: field forecast (intensity.forecast) is not a number' },
        { item: 'record 3', message: 'record 3: time from is not a time in iso8601' },
      ],
    });
  });

  it('an HTML 502 page is an upstream error in plain words', async () => {
    await make(UK);
    fake.failNext(1, 502, { body: '<html><head><title>502 Bad Gateway</title></head></html>' });
    await src!.run();
    expect(src!.health().last_error?.message).toBe('HTTP JSON answered 502 Bad Gateway for GET /intensity: 502 Bad Gateway');
  });
});

describeLifecycle('http-json (login)', {
  plugin,
  startFake: startFakeHttpJson,
  options: LOGIN,
  credentials: FAKE_USER,
  badCredentials: { username: FAKE_USER.username, password: 'not-the-password' },
  checkPoints: (points) => expect(points.every((p) => p.measurement === 'energy')).toBe(true),
});
