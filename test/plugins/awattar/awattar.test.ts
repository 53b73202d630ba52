import { readFileSync } from 'node:fs';
import cron from 'node-cron';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import type { SourcePoint } from '../../../core/plugin-api/index.js';
import { createTestSource, type TestSource } from '../../../core/testkit/index.js';
import plugin from '../../../plugins/awattar/index.js';
import { startFakeAwattar, type FakeAwattar, type MarketEntry } from '../../fakes/awattar.js';
import { describeLifecycle } from '../../support/lifecycle-suite.js';

const data = (name: string): MarketEntry[] =>
  (JSON.parse(readFileSync(new URL(`./golden/${name}`, import.meta.url), 'utf8')) as { data: MarketEntry[] }).data;
/** 14:20 in Berlin: tomorrow's prices are out (about 14:00). */
const AFTERNOON = Date.parse('2026-05-06T12:20:00Z');

let fake: FakeAwattar;
let src: TestSource | undefined;
beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(AFTERNOON);
  fake = await startFakeAwattar();
});
afterEach(async () => {
  await src?.stop();
  src = undefined;
  await fake.close();
  vi.useRealTimers();
});

const make = async (options: Record<string, unknown> = {}) => {
  src = await createTestSource({ plugin, options: { base_url: fake.url, retries: 0, ...options } });
  return src;
};
const at = (time: string, price: number, resolution = 'PT60M', area = 'DE') => ({
  measurement: 'electricity_price',
  tags: { provider: 'awattar', area, currency: 'EUR', resolution, source: 'test' },
  fields: { price_per_kwh: price },
  time: new Date(time),
});
const gaps = (points: SourcePoint[]) => new Set(points.slice(1).map((p, i) => p.time.getTime() - points[i]!.time.getTime()));

describe('awattar golden cases: recorded answers in, points out', () => {
  it('normal: today and tomorrow, EUR/MWh converted to EUR per kWh, negatives kept, one request', async () => {
    fake.setData(data('marketdata-normal.json'));
    const run = await (await make()).run();
    expect(run.error?.message).toBeUndefined();
    expect(run.points).toHaveLength(48);
    expect(run.points[0]).toEqual(at('2026-05-05T22:00:00.000Z', 0.05995));
    expect(run.points[47]).toEqual(at('2026-05-07T21:00:00.000Z', 0.04602));
    expect(run.points.find((p) => p.time.getTime() === 1778065200000)).toEqual(at('2026-05-06T11:00:00.000Z', -0.00438));
    expect(src!.health()).toMatchObject({ status_detail: 'operational', details: { country: 'DE', tomorrow: 'published' } });
    expect(fake.requests.map((r) => [r.path, r.query, r.auth])).toEqual([['/v1/marketdata', { start: '1778018400000', end: '1778191200000' }, 'none']]);
  });

  it('tomorrow not yet published: today only, no error', async () => {
    vi.setSystemTime(Date.parse('2026-05-06T09:00:00Z'));
    fake.setData(data('marketdata-tomorrow-unpublished.json'));
    const run = await (await make()).run();
    expect(run.points).toHaveLength(24);
    expect(src!.health()).toMatchObject({ status_detail: 'operational', item_errors: [], details: { tomorrow: 'not yet published' } });
  });

  it('a 15-minute day: 96 slots tagged PT15M', async () => {
    fake.setData(data('marketdata-15min.json'));
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
      fake.setData(data(file));
      const run = await (await make()).run();
      expect(fake.requests.at(-1)!.query.start).toBe(String(start));
      expect(run.points).toHaveLength(count);
      expect([run.points[0]!.time.toISOString(), run.points.at(-1)!.time.toISOString()]).toEqual([first, last]);
      expect(gaps(run.points)).toEqual(new Set([900_000]));
      await src!.stop();
    }
  });

  it('429 with Retry-After: rate_limited', async () => {
    await make();
    fake.failNext(1, 429, { headers: { 'retry-after': '3600' }, body: 'Too Many Requests' });
    await src!.run();
    expect(src!.health()).toMatchObject({ status: 'degraded', status_detail: 'rate_limited', last_error: { http_status: 429 } });
    expect(src!.health().hint).toContain(new Date(AFTERNOON + 3_600_000).toISOString());
  });

  it('5xx: retried within the run, then degraded', async () => {
    fake.setData(data('marketdata-normal.json'));
    await make({ retries: 1 });
    fake.failNext(1, 503);
    expect((await src!.run()).ok).toBe(true);
    fake.failNext(2, 503);
    await src!.run();
    expect(src!.health()).toMatchObject({ status_detail: 'degraded', last_error: { http_status: 503 } });
    expect(src!.health().last_error?.message).toBe('aWATTar answered 503 Service Unavailable for GET /v1/marketdata: fake failure 503');
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
      fake.failNext(1, 200, { body });
      expect((await src!.run()).ok).toBe(false);
      expect(src!.health().last_error?.message).toBe(message);
    }
    expect(src!.points).toHaveLength(0);
  });

  it('never sends more than max_requests_per_day in 24 hours, whatever the schedule', async () => {
    fake.setData(data('marketdata-normal.json'));
    await make({ max_requests_per_day: 2 });
    expect((await src!.run()).ok).toBe(true);
    vi.setSystemTime(AFTERNOON + 60_000);
    expect((await src!.run()).ok).toBe(true);
    await src!.run();
    expect(fake.requests).toHaveLength(2);
    const h = src!.health();
    expect([h.status, h.status_detail]).toEqual(['degraded', 'rate_limited']);
    expect(h.last_error?.message).toBe('aWATTar allows about 100 requests a day; this source sent 2 in the last 24 hours (max_requests_per_day) and waits 1439 minutes');
    expect(h.hint).toContain(new Date(AFTERNOON + 86_400_000).toISOString());
    vi.setSystemTime(AFTERNOON + 86_400_000);
    fake.setData(data('marketdata-tomorrow-unpublished.json'));
    expect((await src!.run()).ok).toBe(true);
    expect(fake.requests).toHaveLength(3);
  });

  it('country AT tags the area AT', async () => {
    fake.setData(data('marketdata-normal.json'));
    const run = await (await make({ country: 'AT' })).run();
    expect(run.points[0]).toEqual(at('2026-05-05T22:00:00.000Z', 0.05995, 'PT60M', 'AT'));
  });

  it('latest answers the current hour and the next', async () => {
    fake.setData(data('marketdata-normal.json'));
    await (await make()).run();
    expect(src!.latest()).toMatchObject({ points: [{ time: '2026-05-06T12:00:00.000Z' }], next: [{ time: '2026-05-06T13:00:00.000Z' }] });
  });
});

describe('awattar declaration', () => {
  it('polls every 15 minutes from 12:00 to 14:45: 12 requests a day, far inside the fair-use limit', () => {
    vi.setSystemTime(new Date(2026, 4, 6, 0, 0, 0));
    const task = cron.createTask(plugin.default_schedule!, () => undefined);
    const runs = task.getNextRuns(24);
    void task.destroy();
    expect(runs.every((d) => d.getHours() >= 12 && d.getHours() <= 14 && d.getMinutes() % 15 === 0)).toBe(true);
    expect(runs.filter((d) => d.getDate() === 6)).toHaveLength(12);
  });

  it("the README's sample config validates against the plugin's options", async () => {
    const readme = readFileSync(new URL('../../../plugins/awattar/README.md', import.meta.url), 'utf8');
    const sample = parse(/```yaml\n([\s\S]*?)```/.exec(readme)![1]!) as { sources: Record<string, { plugin: string; options?: Record<string, unknown> }> };
    const entry = Object.values(sample.sources)[0]!;
    expect(entry.plugin).toBe('awattar');
    src = await createTestSource({ plugin, options: entry.options ?? {} });
    expect(src.runnable).toBe(true);
  });
});

describeLifecycle('awattar', {
  plugin,
  startFake: async () => {
    const f = await startFakeAwattar();
    f.setData(data('marketdata-normal.json'));
    return { url: f.url, requestCount: () => f.requests.length, close: () => f.close() };
  },
  checkPoints: (points) => expect(points.every((p) => p.tags.area === 'DE' && p.tags.currency === 'EUR')).toBe(true),
});
