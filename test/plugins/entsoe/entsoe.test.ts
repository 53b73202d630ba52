import { readFileSync } from 'node:fs';
import cron from 'node-cron';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import type { SourcePoint } from '../../../core/plugin-api/index.js';
import { createTestSource, type TestSource } from '../../../core/testkit/index.js';
import plugin from '../../../plugins/entsoe/index.js';
import { acknowledgement, BAN_TEXT, startFakeEntsoe, type FakeEntsoe } from '../../fakes/entsoe.js';
import { describeLifecycle } from '../../support/lifecycle-suite.js';

const TOKEN = '0f6c2a4e-8d1b-4c3a-9e7f-5b2d1a0c9e8f';
const DE_LU = '10Y1001A1001A82H';
const NL = '10YNL----------L';
const BE = '10YBE----------2';
const golden = (name: string): string => readFileSync(new URL(`./golden/${name}`, import.meta.url), 'utf8');
/** 14:20 in Brussels: tomorrow's prices are expected by now. */
const AFTERNOON = Date.parse('2026-05-06T12:20:00Z');

let fake: FakeEntsoe;
let src: TestSource | undefined;
beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(AFTERNOON);
  fake = await startFakeEntsoe({ token: TOKEN });
});
afterEach(async () => {
  await src?.stop();
  src = undefined;
  await fake.close();
  vi.useRealTimers();
});

const make = async (options: Record<string, unknown> = {}, token = TOKEN) => {
  src = await createTestSource({ plugin, options: { base_url: fake.url, retries: 0, zone: DE_LU, ...options }, credentials: { security_token: token } });
  return src;
};
const at = (time: string, price: number, area = DE_LU, resolution = 'PT15M') => ({
  measurement: 'electricity_price',
  tags: { provider: 'entsoe', area, currency: 'EUR', resolution, source: 'test' },
  fields: { price_per_kwh: price },
  time: new Date(time),
});
const span = (points: SourcePoint[]) => [points[0]?.time.toISOString(), points.at(-1)?.time.toISOString()];
const NO_DATA_TOMORROW =
  `No matching data found for Data item ENERGY_PRICES [12.1.D] (${DE_LU}, ${DE_LU}) and interval 2026-05-06T22:00:00.000Z/2026-05-07T22:00:00.000Z.`;

describe('entsoe golden cases: recorded documents in, points out', () => {
  it('normal: today and tomorrow, PT15M, A03 gaps forward-filled, only classification position 1', async () => {
    fake.addDocument(golden('de-lu-2026-05-06.xml'));
    fake.addDocument(golden('de-lu-2026-05-07.xml'));
    const run = await (await make()).run();
    expect(run.error?.message).toBeUndefined();
    expect(run.points).toHaveLength(192);
    expect(run.points[0]).toEqual(at('2026-05-05T22:00:00.000Z', 0.05903));
    // Positions 6 and 7 are omitted under A03: they repeat position 5; so do 95 and 96 position 94.
    expect(run.points.slice(4, 7).map((p) => p.fields.price_per_kwh)).toEqual([0.04199, 0.04199, 0.04199]);
    expect(run.points.slice(93, 96).map((p) => p.fields.price_per_kwh)).toEqual([0.05147, 0.05147, 0.05147]);
    expect(run.points[96]).toEqual(at('2026-05-06T22:00:00.000Z', 0.0517));
    expect(src!.health()).toMatchObject({ status_detail: 'operational', item_errors: [], details: { zone: DE_LU, tomorrow: 'published' } });
    expect(fake.requests.map((r) => r.query)).toEqual([
      { securityToken: TOKEN, documentType: 'A44', in_Domain: DE_LU, out_Domain: DE_LU, periodStart: '202605052200', periodEnd: '202605062200', 'contract_MarketAgreement.type': 'A01' },
      { securityToken: TOKEN, documentType: 'A44', in_Domain: DE_LU, out_Domain: DE_LU, periodStart: '202605062200', periodEnd: '202605072200', 'contract_MarketAgreement.type': 'A01' },
    ]);
  });

  it('tomorrow not yet published: reason 999 before 14:00 Brussels time is no error at all', async () => {
    vi.setSystemTime(Date.parse('2026-05-06T10:00:00Z'));
    fake.addDocument(golden('de-lu-2026-05-06.xml'));
    const run = await (await make()).run();
    expect(run.points).toHaveLength(96);
    expect(src!.health()).toMatchObject({ status: 'healthy', status_detail: 'operational', item_errors: [], details: { tomorrow: 'not yet published' } });
  });

  it('tomorrow still missing after 14:00 Brussels time: an item error, and today is written', async () => {
    fake.addDocument(golden('de-lu-2026-05-06.xml'));
    const run = await (await make()).run();
    expect(run.points).toHaveLength(96);
    expect(src!.health()).toMatchObject({ status_detail: 'operational' });
    expect(src!.health().item_errors).toEqual([
      { item: 'tomorrow', message: `ENTSO-E has not published tomorrow's prices by 14:00 Brussels time (reason 999: ${NO_DATA_TOMORROW})` },
    ]);
  });

  it('no prices for today (a wrong zone) is an error that says so', async () => {
    fake.addDocument(golden('de-lu-2026-05-06.xml'));
    await (await make({ zone: BE })).run();
    expect(src!.health().status_detail).toBe('degraded');
    expect(src!.health().last_error?.message).toMatch(/^ENTSO-E has no day-ahead prices for 10YBE----------2 today \(reason 999: No matching data found .*\); check options\.zone$/);
  });

  it('a bad token gets the 401 HTML page: credentials_invalid, and the token appears nowhere', async () => {
    await (await make({}, 'bad-token-5d7e-4444')).run();
    const h = src!.health();
    expect([h.status, h.status_detail, h.last_error?.http_status]).toEqual(['error', 'credentials_invalid', 401]);
    expect(h.last_error?.message).toMatch(/^ENTSO-E refused the security token \(401: .*Unauthorized\. Missing or invalid security token\)$/);
    expect(src!.logs()).not.toContain('bad-token-5d7e-4444');
    expect(src!.logs()).not.toContain(TOKEN);
    expect(JSON.stringify(h)).not.toContain('bad-token');
  });

  it('429 after 400 requests a minute: the 10-minute ban is honoured', async () => {
    await fake.close();
    fake = await startFakeEntsoe({ token: TOKEN, perMinuteLimit: 2 });
    fake.addDocument(golden('de-lu-2026-05-06.xml'));
    fake.addDocument(golden('de-lu-2026-05-07.xml'));
    expect((await (await make()).run()).ok).toBe(true);
    await src!.run();
    const h = src!.health();
    expect([h.status, h.status_detail, h.last_error?.http_status]).toEqual(['degraded', 'rate_limited', 429]);
    expect(h.last_error?.message).toBe(`ENTSO-E answered 429: ${BAN_TEXT}; it bans the address for 10 minutes`);
    expect(h.hint).toContain(new Date(AFTERNOON + 600_000).toISOString());
  });

  it('5xx: retried within the run, then degraded when it persists', async () => {
    fake.addDocument(golden('de-lu-2026-05-06.xml'));
    fake.addDocument(golden('de-lu-2026-05-07.xml'));
    await make({ retries: 1 });
    fake.failNext(1, 503);
    expect((await src!.run()).ok).toBe(true);
    fake.failNext(2, 503);
    await src!.run();
    expect(src!.health()).toMatchObject({ status_detail: 'degraded', last_error: { http_status: 503 } });
    expect(src!.health().last_error?.message).toMatch(/^ENTSO-E answered 503 Service Unavailable for GET \/api/);
  });

  it('malformed: a price that is not a number, and a body that is not XML, are data errors saying where', async () => {
    const broken = golden('de-lu-2026-05-06.xml').replace('<price.amount>41.48</price.amount>', '<price.amount>4l.48</price.amount>');
    await make();
    fake.failNext(1, 200, { body: broken, headers: { 'content-type': 'application/xml' } });
    expect((await src!.run()).ok).toBe(false);
    expect(src!.health().last_error?.message).toBe('today: TimeSeries[0].Period[0].Point[3].price.amount is not a number ("4l.48")');
    fake.failNext(1, 200, { body: '<html><body><p>Service temporarily unavailable', headers: { 'content-type': 'text/html' } });
    await src!.run();
    expect(src!.health().last_error?.message).toMatch(/^today: ENTSO-E sent a body that is not XML \(.+ at line \d+\)$/);
    expect(src!.points).toHaveLength(0);
  });

  it('a 400 acknowledgement (a parameter ENTSO-E refuses) is a config error', async () => {
    await make();
    fake.failNext(1, 400, { body: acknowledgement('999', 'Invalid value of in_Domain'), headers: { 'content-type': 'text/xml' } });
    await src!.run();
    expect(src!.health()).toMatchObject({ status: 'error', status_detail: 'error' });
    expect(src!.health().last_error?.message).toContain('today: ENTSO-E refused the request (400: reason 999: Invalid value of in_Domain); check options.zone');
  });

  it('PT60M: 24 hourly prices of a day', async () => {
    fake.addDocument(golden('nl-2026-05-06-pt60m.xml'));
    const run = await (await make({ zone: NL })).run();
    expect(run.points).toHaveLength(24);
    expect(run.points[0]).toEqual(at('2026-05-05T22:00:00.000Z', 0.04391, NL, 'PT60M'));
    expect(run.points[23]).toEqual(at('2026-05-06T21:00:00.000Z', 0.06219, NL, 'PT60M'));
  });

  it('a day published both as PT15M and PT60M keeps the preferred resolution only', async () => {
    fake.addDocument(golden('be-2026-05-06-mixed.xml'));
    const quarter = await (await make({ zone: BE })).run();
    expect(quarter.points).toHaveLength(96);
    expect(quarter.points[0]).toEqual(at('2026-05-05T22:00:00.000Z', 0.04942, BE));
    await src!.stop();
    const hourly = await (await make({ zone: BE, resolution: 'PT60M' })).run();
    expect(hourly.points).toHaveLength(24);
    expect(hourly.points[0]).toEqual(at('2026-05-05T22:00:00.000Z', 0.04281, BE, 'PT60M'));
  });

  it('daylight-saving days: 92 and 100 quarter hours, asked for by their real UTC bounds', async () => {
    for (const [file, now, start, end, count, first, last] of [
      ['de-lu-2026-03-29.xml', '2026-03-29T09:00:00Z', '202603282300', '202603292200', 92, '2026-03-28T23:00:00.000Z', '2026-03-29T21:45:00.000Z'],
      ['de-lu-2026-10-25.xml', '2026-10-25T09:00:00Z', '202610242200', '202610252300', 100, '2026-10-24T22:00:00.000Z', '2026-10-25T22:45:00.000Z'],
    ] as const) {
      vi.setSystemTime(Date.parse(now));
      fake.addDocument(golden(file));
      const before = fake.requests.length;
      const run = await (await make()).run();
      expect(run.points).toHaveLength(count);
      expect(span(run.points)).toEqual([first, last]);
      expect(new Set(run.points.slice(1).map((p, i) => p.time.getTime() - run.points[i]!.time.getTime()))).toEqual(new Set([900_000]));
      expect(fake.requests[before]!.query).toMatchObject({ periodStart: start, periodEnd: end });
      await src!.stop();
    }
  });

  it('latest answers the current quarter hour and the next', async () => {
    fake.addDocument(golden('de-lu-2026-05-06.xml'));
    await (await make()).run();
    expect(src!.latest()).toMatchObject({ points: [{ time: '2026-05-06T12:15:00.000Z' }], next: [{ time: '2026-05-06T12:30:00.000Z' }] });
  });
});

describe('entsoe declaration', () => {
  it('polls every 15 minutes from 11:00 to 14:45 and not the rest of the day', () => {
    vi.setSystemTime(new Date(2026, 4, 6, 0, 0, 0));
    const task = cron.createTask(plugin.default_schedule!, () => undefined);
    const runs = task.getNextRuns(32);
    void task.destroy();
    expect(runs.every((d) => d.getHours() >= 11 && d.getHours() <= 14 && d.getMinutes() % 15 === 0)).toBe(true);
    expect(runs.filter((d) => d.getDate() === 6)).toHaveLength(16);
  });

  it("the README's sample config validates against the plugin's options", async () => {
    const readme = readFileSync(new URL('../../../plugins/entsoe/README.md', import.meta.url), 'utf8');
    const sample = parse(/```yaml\n([\s\S]*?)```/.exec(readme)![1]!) as { sources: Record<string, { plugin: string; options?: Record<string, unknown> }> };
    const entry = Object.values(sample.sources)[0]!;
    expect(entry.plugin).toBe('entsoe');
    src = await createTestSource({ plugin, options: entry.options ?? {}, credentials: { security_token: '' } });
    expect(src.health().status_detail).toBe('credentials_missing');
  });
});

describeLifecycle('entsoe', {
  plugin,
  options: { zone: DE_LU },
  credentials: { security_token: TOKEN },
  badCredentials: { security_token: 'not-the-token-0000' },
  startFake: async () => {
    const f = await startFakeEntsoe({ token: TOKEN });
    f.addDocument(golden('de-lu-2026-05-06.xml'));
    f.addDocument(golden('de-lu-2026-05-07.xml'));
    return { url: f.url, requestCount: () => f.requests.length, close: () => f.close() };
  },
  checkPoints: (points) => expect(points.every((p) => p.tags.area === DE_LU && p.tags.resolution === 'PT15M')).toBe(true),
});
