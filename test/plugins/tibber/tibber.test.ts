import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import plugin from '../../../plugins/tibber/index.js';
import { DEMO_HOME_ID, startFakeTibber } from '../../fakes/tibber.js';
import { describeLifecycle } from '../../support/lifecycle-suite.js';
import { describePriceGoldenCases, gaps, itKeepsItsDeclaration, lifecycleFake, usePriceDay } from '../../support/price-days.js';

const TOKEN = 'tibber-token-5c1a9e';
const golden = (name: string): unknown => JSON.parse(readFileSync(new URL(`./golden/${name}`, import.meta.url), 'utf8'));
/** 14:20 in Stockholm on a normal day: today's and (in prices-normal) tomorrow's prices are known. */
const NOON = Date.parse('2026-05-06T12:20:00Z');

const harness = usePriceDay({ plugin, at: NOON, startFake: () => startFakeTibber({ token: TOKEN }), credentials: { access_token: TOKEN } });
const make = (options: Record<string, unknown> = {}, token = TOKEN) => harness.make(options, { access_token: token });
const price = (time: string, energy: number, total: number, level: string, resolution = 'PT15M') => ({
  measurement: 'electricity_price',
  tags: { provider: 'tibber', area: DEMO_HOME_ID, currency: 'SEK', resolution, source: 'test' },
  fields: { price_per_kwh: energy, price_per_kwh_incl_tax: total, level },
  time: new Date(time),
});

describePriceGoldenCases(harness, new URL('./golden/cases/', import.meta.url), {
  '401': 'Tibber answers a missing or invalid token 200 with UNAUTHENTICATED (unauthenticated-in-200.json)',
});

describe('tibber recorded days: answers in, points out', () => {
  it('normal: lists the homes, then asks for one home\'s quarter-hourly prices', async () => {
    harness.fake.setPrices(DEMO_HOME_ID, 'QUARTER_HOURLY', golden('prices-normal.json'));
    await make();
    expect((await harness.src!.run()).error?.message).toBeUndefined();
    expect(harness.src!.points).toHaveLength(192);
    expect(harness.src!.health()).toMatchObject({ status: 'healthy', status_detail: 'operational', details: { tomorrow: 'published', homes: [DEMO_HOME_ID] } });
    expect(harness.fake.queries.map((q) => /homes \{/.test(q.query))).toEqual([true, false]);
    expect(harness.fake.queries[1]!.query).toContain('priceInfo(resolution: QUARTER_HOURLY)');
    expect(harness.fake.queries[1]!.variables).toEqual({ homeId: DEMO_HOME_ID });
    expect(harness.fake.queries[0]!.userAgent).toMatch(/^homeiq-sources\/\d+\.\d+\.\d+/);
    expect(harness.fake.requests.map((r) => [r.method, r.path, r.auth])).toEqual([['POST', '/v1-beta/gql', 'bearer'], ['POST', '/v1-beta/gql', 'bearer']]);
  });

  it('latest answers the slot that holds now and the next one, not tomorrow night', async () => {
    harness.fake.setPrices(DEMO_HOME_ID, 'QUARTER_HOURLY', golden('prices-normal.json'));
    await (await make()).run();
    const latest = harness.src!.latest() as { points: { time: string; fields: Record<string, unknown> }[]; next: { time: string }[] };
    expect(latest.points).toMatchObject([{ time: '2026-05-06T12:15:00.000Z', fields: { price_per_kwh: 0.2069, level: 'VERY_CHEAP' } }]);
    expect(latest.next).toMatchObject([{ time: '2026-05-06T12:30:00.000Z' }]);
  });

  it('tomorrow not yet published: today only, no error; a re-fetch after publication rewrites the same series and times', async () => {
    vi.setSystemTime(Date.parse('2026-05-06T08:00:00Z'));
    harness.fake.setPrices(DEMO_HOME_ID, 'QUARTER_HOURLY', golden('prices-tomorrow-unpublished.json'));
    await make();
    expect((await harness.src!.run()).ok).toBe(true);
    expect(harness.src!.points).toHaveLength(96);
    expect(harness.src!.health()).toMatchObject({ status_detail: 'operational', details: { tomorrow: 'not yet published' }, item_errors: [] });
    const first = harness.src!.points.map((p) => [p.time.toISOString(), JSON.stringify(p.tags)]);
    harness.fake.setPrices(DEMO_HOME_ID, 'QUARTER_HOURLY', golden('prices-normal.json'));
    const second = await harness.src!.run();
    expect(second.points).toHaveLength(192);
    expect(second.points.slice(0, 96).map((p) => [p.time.toISOString(), JSON.stringify(p.tags)])).toEqual(first);
    expect(harness.src!.health().details).toMatchObject({ tomorrow: 'published' });
  });

  it('a bad token answered 200 with UNAUTHENTICATED is credentials_invalid, not success', async () => {
    await make({}, 'wrong-token-7781');
    const outcome = await harness.src!.run();
    expect(outcome.ok).toBe(false);
    expect(harness.src!.health()).toMatchObject({ status: 'error', status_detail: 'credentials_invalid' });
    expect(harness.src!.health().last_error?.message).toBe('Tibber refused the access token (UNAUTHENTICATED: invalid token)');
    expect(harness.fake.requests).toHaveLength(1);
    expect(harness.src!.logs()).not.toContain('wrong-token-7781');
  });

  it('5xx: retried within the run (POST included), then a failure when it persists', async () => {
    harness.fake.setPrices(DEMO_HOME_ID, 'QUARTER_HOURLY', golden('prices-normal.json'));
    await make({ retries: 2 });
    harness.fake.failNext(2, 503);
    expect((await harness.src!.run()).ok).toBe(true);
    expect(harness.fake.requests.map((r) => r.status)).toEqual([503, 503, 200, 200]);
    harness.fake.failNext(3, 502);
    await harness.src!.run();
    expect(harness.src!.health()).toMatchObject({ status: 'degraded', status_detail: 'degraded', last_error: { http_status: 502 } });
    expect(harness.src!.health().last_error?.message).toMatch(/^Tibber answered 502 Bad Gateway for POST \/v1-beta\/gql/);
  });

});

describe('tibber options', () => {
  it('resolution HOURLY asks for hourly prices and tags them PT60M', async () => {
    harness.fake.setPrices(DEMO_HOME_ID, 'HOURLY', golden('prices-hourly.json'));
    await make({ resolution: 'HOURLY' });
    const run = await harness.src!.run();
    expect(harness.fake.queries[1]!.query).toContain('priceInfo(resolution: HOURLY)');
    expect(run.points).toHaveLength(48);
    expect(run.points[0]).toEqual(price('2026-05-05T22:00:00.000Z', 0.5923, 1.1794, 'CHEAP', 'PT60M'));
    expect(gaps(run.points)).toEqual(new Set([3_600_000]));
  });

  it('reads every home with a running subscription, and home_id picks one', async () => {
    const other = 'c70dcbe5-4485-4821-933d-a8a86452737b';
    harness.fake.homes = [
      { id: DEMO_HOME_ID, timeZone: 'Europe/Stockholm', subscriptions: [{ status: 'running' }] },
      { id: 'e5b7d1f0-0000-4000-8000-000000000001', timeZone: 'Europe/Oslo', subscriptions: [{ status: 'ended' }] },
      { id: other, timeZone: 'Europe/Stockholm', subscriptions: [{ status: 'running' }] },
    ];
    harness.fake.setPrices(DEMO_HOME_ID, 'QUARTER_HOURLY', golden('prices-tomorrow-unpublished.json'));
    harness.fake.setPrices(other, 'QUARTER_HOURLY', golden('prices-normal.json'));
    const run = await (await make()).run();
    expect(harness.fake.queries.slice(1).map((q) => q.variables.homeId)).toEqual([DEMO_HOME_ID, other]);
    expect(run.points.filter((p) => p.tags.area === other)).toHaveLength(192);
    expect(harness.src!.health().details).toMatchObject({ tomorrow: 'not yet published' });
    await harness.src!.stop();
    await (await make({ home_id: other })).run();
    expect(harness.fake.queries.at(-1)!.variables).toEqual({ homeId: other });
    await harness.src!.stop();
    await (await make({ home_id: 'no-such-home' })).run();
    expect(harness.src!.health().last_error?.message).toContain('options.home_id: this Tibber account has no home no-such-home');
  });

  itKeepsItsDeclaration(harness, { polls: 'polls every 15 minutes from 11:00 to 14:45 (the publication window) and not the rest of the day', hours: [11, 14], runs: 32, perDay: 16, blankCredentials: { access_token: '' } });
});

describeLifecycle('tibber', {
  plugin,
  credentials: { access_token: TOKEN },
  badCredentials: { access_token: 'not-a-tibber-token-42' },
  startFake: lifecycleFake(() => startFakeTibber({ token: TOKEN }), (f) => f.setPrices(DEMO_HOME_ID, 'QUARTER_HOURLY', golden('prices-normal.json'))),
  checkPoints: (points) => expect(points.every((p) => p.measurement === 'electricity_price' && p.tags.provider === 'tibber')).toBe(true),
});
