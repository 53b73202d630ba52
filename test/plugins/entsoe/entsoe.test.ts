import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import type { SourcePoint } from '../../../core/plugin-api/index.js';
import plugin from '../../../plugins/entsoe/index.js';
import { acknowledgement, BAN_TEXT, startFakeEntsoe } from '../../fakes/entsoe.js';
import { describeLifecycle } from '../../support/lifecycle-suite.js';
import { describePriceGoldenCases, expectRetriedThenDegraded, gaps, itKeepsItsDeclaration, lifecycleFake, usePriceDay } from '../../support/price-days.js';

const TOKEN = '0f6c2a4e-8d1b-4c3a-9e7f-5b2d1a0c9e8f';
const DE_LU = '10Y1001A1001A82H';
const NL = '10YNL----------L';
const BE = '10YBE----------2';
const golden = (name: string): string => readFileSync(new URL(`./golden/${name}`, import.meta.url), 'utf8');
/** 14:20 in Brussels: tomorrow's prices are expected by now. */
const AFTERNOON = Date.parse('2026-05-06T12:20:00Z');

const harness = usePriceDay({ plugin, at: AFTERNOON, startFake: () => startFakeEntsoe({ token: TOKEN }), options: { zone: DE_LU }, credentials: { security_token: TOKEN } });
const make = (options: Record<string, unknown> = {}, token = TOKEN) => harness.make(options, { security_token: token });
const at = (time: string, price: number, area = DE_LU, resolution = 'PT15M') => ({
  measurement: 'electricity_price',
  tags: { provider: 'entsoe', area, currency: 'EUR', resolution, source: 'test' },
  fields: { price_per_kwh: price },
  time: new Date(time),
});
const span = (points: SourcePoint[]) => [points[0]?.time.toISOString(), points.at(-1)?.time.toISOString()];
const NO_DATA_TOMORROW =
  `No matching data found for Data item ENERGY_PRICES [12.1.D] (${DE_LU}, ${DE_LU}) and interval 2026-05-06T22:00:00.000Z/2026-05-07T22:00:00.000Z.`;

describePriceGoldenCases(harness, new URL('./golden/cases/', import.meta.url), {
  '403': 'ENTSO-E answers a missing or wrong token 401 (unauthorized-401.json); its notes know no 403',
  '429 with Retry-After': "ENTSO-E's 429 carries no Retry-After; the plugin waits out its 10-minute ban (ban-429.json)",
});

describe('entsoe recorded documents: answers in, points out', () => {
  it('normal: asks for today, then tomorrow, by their UTC bounds; A03 gaps forward-filled', async () => {
    harness.fake.addDocument(golden('de-lu-2026-05-06.xml'));
    harness.fake.addDocument(golden('de-lu-2026-05-07.xml'));
    const run = await (await make()).run();
    expect(run.error?.message).toBeUndefined();
    expect(run.points).toHaveLength(192);
    // Positions 6 and 7 are omitted under A03: they repeat position 5; so do 95 and 96 position 94.
    expect(run.points.slice(4, 7).map((p) => p.fields.price_per_kwh)).toEqual([0.04199, 0.04199, 0.04199]);
    expect(run.points.slice(93, 96).map((p) => p.fields.price_per_kwh)).toEqual([0.05147, 0.05147, 0.05147]);
    expect(harness.src!.health()).toMatchObject({ status_detail: 'operational', item_errors: [], details: { zone: DE_LU, tomorrow: 'published' } });
    expect(harness.fake.requests.map((r) => r.query)).toEqual([
      { securityToken: TOKEN, documentType: 'A44', in_Domain: DE_LU, out_Domain: DE_LU, periodStart: '202605052200', periodEnd: '202605062200', 'contract_MarketAgreement.type': 'A01' },
      { securityToken: TOKEN, documentType: 'A44', in_Domain: DE_LU, out_Domain: DE_LU, periodStart: '202605062200', periodEnd: '202605072200', 'contract_MarketAgreement.type': 'A01' },
    ]);
  });

  it('a bad token gets the 401 HTML page: credentials_invalid, and the token appears nowhere', async () => {
    await (await make({}, 'bad-token-5d7e-4444')).run();
    const h = harness.src!.health();
    expect([h.status, h.status_detail, h.last_error?.http_status]).toEqual(['error', 'credentials_invalid', 401]);
    expect(h.last_error?.message).toMatch(/^ENTSO-E refused the security token \(401: .*Unauthorized\. Missing or invalid security token\)$/);
    expect(harness.src!.logs()).not.toContain('bad-token-5d7e-4444');
    expect(harness.src!.logs()).not.toContain(TOKEN);
    expect(JSON.stringify(h)).not.toContain('bad-token');
  });

  it('429 after 400 requests a minute: the 10-minute ban is honoured', async () => {
    await harness.replaceFake(() => startFakeEntsoe({ token: TOKEN, perMinuteLimit: 2 }));
    harness.fake.addDocument(golden('de-lu-2026-05-06.xml'));
    harness.fake.addDocument(golden('de-lu-2026-05-07.xml'));
    expect((await (await make()).run()).ok).toBe(true);
    await harness.src!.run();
    const h = harness.src!.health();
    expect([h.status, h.status_detail, h.last_error?.http_status]).toEqual(['degraded', 'rate_limited', 429]);
    expect(h.last_error?.message).toBe(`ENTSO-E answered 429: ${BAN_TEXT}; it bans the address for 10 minutes`);
    expect(h.hint).toContain(new Date(AFTERNOON + 600_000).toISOString());
  });

  it('5xx: retried within the run, then degraded when it persists', async () => {
    harness.fake.addDocument(golden('de-lu-2026-05-06.xml'));
    harness.fake.addDocument(golden('de-lu-2026-05-07.xml'));
    await expectRetriedThenDegraded(harness, 503);
    expect(harness.src!.health().last_error?.message).toMatch(/^ENTSO-E answered 503 Service Unavailable for GET \/api/);
  });

  it('malformed: a period whose end lies 20 years ahead is a data error naming it, not 700,000 points and seconds of work', async () => {
    // Found while writing test/faults/parsers.property.test.ts: forward fill (A03) expanded every slot up to the end.
    const broken = golden('de-lu-2026-05-06.xml').replace(/<end>2026-05-06T22:00Z<\/end>/g, '<end>2046-05-06T22:00Z</end>');
    await make();
    harness.fake.failNext(1, 200, { body: broken, headers: { 'content-type': 'application/xml' } });
    const started = performance.now();
    expect((await harness.src!.run()).ok).toBe(false);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(harness.src!.health().last_error?.message).toBe(
      'today: TimeSeries[0].Period[0].timeInterval 2026-05-05T22:00:00.000Z/2046-05-06T22:00:00.000Z spans 7306 days, more than the 31 a day-ahead period may',
    );
    expect(harness.src!.points).toHaveLength(0);
  });

  it('malformed: a tag the XML validator lets through but the parser cannot read is a data error, not an untyped Error', async () => {
    // Found by test/faults/parsers.property.test.ts (shrunk to this body).
    await make();
    harness.fake.failNext(1, 200, { body: '<VCALENDAR/', headers: { 'content-type': 'application/xml' } });
    const outcome = await harness.src!.run();
    expect(outcome.error).toMatchObject({ kind: 'data', message: expect.stringMatching(/^today: ENTSO-E sent a body that is not XML \(.+\)$/) });
  });

  it('an acknowledgement whose reason code has child elements is an upstream error, not a TypeError', async () => {
    // Like openweathermap's `cod` that test/faults/parsers.property.test.ts found: `String()` of an element named toString.
    await make();
    const body = acknowledgement('999', 'No matching data').replace(/<code>999<\/code>/, '<code><toString>999</toString></code>');
    expect(body).toContain('<toString>');
    harness.fake.failNext(1, 200, { body, headers: { 'content-type': 'application/xml' } });
    const outcome = await harness.src!.run();
    expect(outcome.error).toMatchObject({ kind: 'upstream', message: 'today: ENTSO-E answered without prices (reason none: No matching data)' });
  });

  it('daylight-saving days: 92 and 100 quarter hours, asked for by their real UTC bounds', async () => {
    for (const [file, now, start, end, count, first, last] of [
      ['de-lu-2026-03-29.xml', '2026-03-29T09:00:00Z', '202603282300', '202603292200', 92, '2026-03-28T23:00:00.000Z', '2026-03-29T21:45:00.000Z'],
      ['de-lu-2026-10-25.xml', '2026-10-25T09:00:00Z', '202610242200', '202610252300', 100, '2026-10-24T22:00:00.000Z', '2026-10-25T22:45:00.000Z'],
    ] as const) {
      vi.setSystemTime(Date.parse(now));
      harness.fake.addDocument(golden(file));
      const before = harness.fake.requests.length;
      const run = await (await make()).run();
      expect(run.points).toHaveLength(count);
      expect(span(run.points)).toEqual([first, last]);
      expect(gaps(run.points)).toEqual(new Set([900_000]));
      expect(harness.fake.requests[before]!.query).toMatchObject({ periodStart: start, periodEnd: end });
      await harness.src!.stop();
    }
  });

  it('latest answers the current quarter hour and the next', async () => {
    harness.fake.addDocument(golden('de-lu-2026-05-06.xml'));
    await (await make()).run();
    expect(harness.src!.latest()).toMatchObject({ points: [{ time: '2026-05-06T12:15:00.000Z' }], next: [{ time: '2026-05-06T12:30:00.000Z' }] });
  });
});

describe('entsoe declaration', () => {
  itKeepsItsDeclaration(harness, { polls: 'polls every 15 minutes from 11:00 to 14:45 and not the rest of the day', hours: [11, 14], runs: 32, perDay: 16, blankCredentials: { security_token: '' } });
});

describeLifecycle('entsoe', {
  plugin,
  options: { zone: DE_LU },
  credentials: { security_token: TOKEN },
  badCredentials: { security_token: 'not-the-token-0000' },
  startFake: lifecycleFake(
    () => startFakeEntsoe({ token: TOKEN }),
    (f) => {
      f.addDocument(golden('de-lu-2026-05-06.xml'));
      f.addDocument(golden('de-lu-2026-05-07.xml'));
    },
  ),
  checkPoints: (points) => expect(points.every((p) => p.tags.area === DE_LU && p.tags.resolution === 'PT15M')).toBe(true),
});
