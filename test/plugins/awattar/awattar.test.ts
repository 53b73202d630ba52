import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import plugin from '../../../plugins/awattar/index.js';
import { startFakeAwattar, type MarketEntry } from '../../fakes/awattar.js';
import { describeLifecycle } from '../../support/lifecycle-suite.js';
import { describePriceGoldenCases, expectRetriedThenDegraded, gaps, itKeepsItsDeclaration, lifecycleFake, usePriceDay } from '../../support/price-days.js';

const data = (name: string): MarketEntry[] =>
  (JSON.parse(readFileSync(new URL(`./golden/${name}`, import.meta.url), 'utf8')) as { data: MarketEntry[] }).data;
/** 14:20 in Berlin: tomorrow's prices are out (about 14:00). */
const AFTERNOON = Date.parse('2026-05-06T12:20:00Z');

const harness = usePriceDay({ plugin, at: AFTERNOON, startFake: startFakeAwattar });
const make = (options: Record<string, unknown> = {}) => harness.make(options);
const at = (time: string, price: number, resolution = 'PT60M', area = 'DE') => ({
  measurement: 'electricity_price',
  tags: { provider: 'awattar', area, currency: 'EUR', resolution, source: 'test' },
  fields: { price_per_kwh: price },
  time: new Date(time),
});

describePriceGoldenCases(harness, new URL('./golden/cases/', import.meta.url), { '401': 'aWATTar takes no key' });

describe('awattar recorded days: answers in, points out', () => {
  it('normal: today and tomorrow, EUR/MWh converted to EUR per kWh, negatives kept, one request', async () => {
    harness.fake.setData(data('marketdata-normal.json'));
    const run = await (await make()).run();
    expect(run.error?.message).toBeUndefined();
    expect(run.points).toHaveLength(48);
    expect(run.points[0]).toEqual(at('2026-05-05T22:00:00.000Z', 0.05995));
    expect(run.points[47]).toEqual(at('2026-05-07T21:00:00.000Z', 0.04602));
    expect(run.points.find((p) => p.time.getTime() === 1778065200000)).toEqual(at('2026-05-06T11:00:00.000Z', -0.00438));
    expect(harness.src!.health()).toMatchObject({ status_detail: 'operational', details: { country: 'DE', tomorrow: 'published' } });
    expect(harness.fake.requests.map((r) => [r.path, r.query, r.auth])).toEqual([['/v1/marketdata', { start: '1778018400000', end: '1778191200000' }, 'none']]);
  });

  it('tomorrow not yet published: today only, no error', async () => {
    vi.setSystemTime(Date.parse('2026-05-06T09:00:00Z'));
    harness.fake.setData(data('marketdata-tomorrow-unpublished.json'));
    const run = await (await make()).run();
    expect(run.points).toHaveLength(24);
    expect(harness.src!.health()).toMatchObject({ status_detail: 'operational', item_errors: [], details: { tomorrow: 'not yet published' } });
  });

  it('a 15-minute day: 96 slots tagged PT15M', async () => {
    harness.fake.setData(data('marketdata-15min.json'));
    const run = await (await make()).run();
    expect(run.points).toHaveLength(96);
    expect(run.points[0]).toEqual(at('2026-05-05T22:00:00.000Z', 0.05995, 'PT15M'));
    expect(gaps(run.points)).toEqual(new Set([900_000]));
  });

  it('daylight-saving days: 92 and 100 quarter hours, asked for by their real UTC bounds', async () => {
    for (const [file, now, start, count, first, last] of [
      ['marketdata-dst-spring-15min.json', '2026-03-29T10:00:00Z', Date.parse('2026-03-28T23:00:00Z'), 92, '2026-03-28T23:00:00.000Z', '2026-03-29T21:45:00.000Z'],
      ['marketdata-dst-autumn-15min.json', '2026-10-25T10:00:00Z', Date.parse('2026-10-24T22:00:00Z'), 100, '2026-10-24T22:00:00.000Z', '2026-10-25T22:45:00.000Z'],
    ] as const) {
      vi.setSystemTime(Date.parse(now));
      harness.fake.setData(data(file));
      const run = await (await make()).run();
      expect(harness.fake.requests.at(-1)!.query.start).toBe(String(start));
      expect(run.points).toHaveLength(count);
      expect([run.points[0]!.time.toISOString(), run.points.at(-1)!.time.toISOString()]).toEqual([first, last]);
      expect(gaps(run.points)).toEqual(new Set([900_000]));
      await harness.src!.stop();
    }
  });

  it('5xx: retried within the run, then degraded', async () => {
    harness.fake.setData(data('marketdata-normal.json'));
    await expectRetriedThenDegraded(harness, 503);
    expect(harness.src!.health().last_error?.message).toBe('aWATTar answered 503 Service Unavailable for GET /v1/marketdata: fake failure 503');
  });

  it('malformed entries are data errors saying which and what, and nothing is written', async () => {
    await make();
    const entry = { start_timestamp: 1778018400000, end_timestamp: 1778022000000, marketprice: 59.95, unit: 'Eur/MWh' };
    for (const [body, message] of [
      [{ object: 'list', data: [entry, { ...entry, marketprice: '59.95' }] }, 'marketdata: data[1].marketprice is not a number'],
      [{ object: 'list', data: [{ ...entry, unit: 'ct/kWh' }] }, 'marketdata: data[0].unit is "ct/kWh", not Eur/MWh'],
      [{ object: 'list', data: [{ ...entry, start_timestamp: '2026-05-05T22:00:00Z' }] }, 'marketdata: data[0].start_timestamp is not a time in epoch milliseconds'],
      [{ object: 'list', data: [{ ...entry, end_timestamp: entry.start_timestamp + 7_200_000 }] }, 'marketdata: data[0]: a slot of 120 minutes, not 15, 30 or 60'],
      [{ object: 'error' }, 'marketdata: data is not a list'],
    ] as const) {
      harness.fake.failNext(1, 200, { body });
      expect((await harness.src!.run()).ok).toBe(false);
      expect(harness.src!.health().last_error?.message).toBe(message);
    }
    expect(harness.src!.points).toHaveLength(0);
  });

  it('never sends more than max_requests_per_day in 24 hours, whatever the schedule', async () => {
    harness.fake.setData(data('marketdata-normal.json'));
    await make({ max_requests_per_day: 2 });
    expect((await harness.src!.run()).ok).toBe(true);
    vi.setSystemTime(AFTERNOON + 60_000);
    expect((await harness.src!.run()).ok).toBe(true);
    await harness.src!.run();
    expect(harness.fake.requests).toHaveLength(2);
    const h = harness.src!.health();
    expect([h.status, h.status_detail]).toEqual(['degraded', 'rate_limited']);
    expect(h.last_error?.message).toBe('aWATTar allows about 100 requests a day; this source sent 2 in the last 24 hours (max_requests_per_day) and waits 1439 minutes');
    expect(h.hint).toContain(new Date(AFTERNOON + 86_400_000).toISOString());
    vi.setSystemTime(AFTERNOON + 86_400_000);
    harness.fake.setData(data('marketdata-tomorrow-unpublished.json'));
    expect((await harness.src!.run()).ok).toBe(true);
    expect(harness.fake.requests).toHaveLength(3);
  });

  it('country AT tags the area AT', async () => {
    harness.fake.setData(data('marketdata-normal.json'));
    const run = await (await make({ country: 'AT' })).run();
    expect(run.points[0]).toEqual(at('2026-05-05T22:00:00.000Z', 0.05995, 'PT60M', 'AT'));
  });

  it('latest answers the current hour and the next', async () => {
    harness.fake.setData(data('marketdata-normal.json'));
    await (await make()).run();
    expect(harness.src!.latest()).toMatchObject({ points: [{ time: '2026-05-06T12:00:00.000Z' }], next: [{ time: '2026-05-06T13:00:00.000Z' }] });
  });
});

describe('awattar declaration', () => {
  itKeepsItsDeclaration(harness, { polls: 'polls every 15 minutes from 12:00 to 14:45: 12 requests a day, far inside the fair-use limit', hours: [12, 14], runs: 24, perDay: 12 });
});

describeLifecycle('awattar', {
  plugin,
  startFake: lifecycleFake(startFakeAwattar, (f) => f.setData(data('marketdata-normal.json'))),
  checkPoints: (points) => expect(points.every((p) => p.tags.area === 'DE' && p.tags.currency === 'EUR')).toBe(true),
});
