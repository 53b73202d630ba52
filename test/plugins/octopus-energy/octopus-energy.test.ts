import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import type { SourcePoint } from '../../../core/plugin-api/index.js';
import plugin from '../../../plugins/octopus-energy/index.js';
import { startFakeOctopus } from '../../fakes/octopus-energy.js';
import { describeLifecycle } from '../../support/lifecycle-suite.js';
import { describePriceGoldenCases, expectRetriedThenDegraded, gaps, itKeepsItsDeclaration, lifecycleFake, usePriceDay } from '../../support/price-days.js';

const PRODUCT = 'AGILE-24-10-01';
const TARIFF = 'E-1R-AGILE-24-10-01-C';
const PATH = `/v1/products/${PRODUCT}/electricity-tariffs/${TARIFF}/standard-unit-rates/`;
const rows = (name: string): unknown[] => (JSON.parse(readFileSync(new URL(`./golden/${name}`, import.meta.url), 'utf8')) as { results: unknown[] }).results;
/** 18:00 in London: tomorrow's Agile rates are out (about 16:00). */
const EVENING = Date.parse('2026-05-06T17:00:00Z');

const harness = usePriceDay({ plugin, at: EVENING, startFake: startFakeOctopus });
const make = (options: Record<string, unknown> = {}) => harness.make(options);
const rate = (time: string, exc: number, inc: number, area = TARIFF) => ({
  measurement: 'electricity_price',
  tags: { provider: 'octopus-energy', area, currency: 'GBP', resolution: 'PT30M', source: 'test' },
  fields: { price_per_kwh: exc, price_per_kwh_incl_tax: inc },
  time: new Date(time),
});
const row = (from: string, exc: number, inc: number, payment: string | null) => {
  const to = new Date(Date.parse(from) + 1_800_000).toISOString().replace('.000Z', 'Z');
  return { value_exc_vat: exc, value_inc_vat: inc, valid_from: from, valid_to: to, payment_method: payment };
};
const londonDay = (points: SourcePoint[], start: string, end: string) =>
  points.filter((p) => p.time.getTime() >= Date.parse(start) && p.time.getTime() < Date.parse(end));

describePriceGoldenCases(harness, new URL('./golden/cases/', import.meta.url), { '401': 'the Agile rates need no key' });

describe('octopus-energy recorded days: answers in, points out', () => {
  it('normal: today and tomorrow, 30-minute slots in GBP per kWh with and without VAT, negatives kept', async () => {
    harness.fake.setRates(PRODUCT, TARIFF, rows('rates-normal.json'));
    const run = await (await make()).run();
    expect(run.error?.message).toBeUndefined();
    expect(run.points).toHaveLength(94);
    expect(run.points[0]).toEqual(rate('2026-05-05T23:00:00.000Z', 0.019238, 0.0202));
    expect(run.points[93]).toEqual(rate('2026-05-07T21:30:00.000Z', 0.030857, 0.0324));
    expect(run.points.find((p) => p.time.toISOString() === '2026-05-07T12:30:00.000Z')).toEqual(rate('2026-05-07T12:30:00.000Z', -0.019524, -0.0205));
    expect(gaps(run.points)).toEqual(new Set([1_800_000]));
    expect(harness.src!.health()).toMatchObject({ status_detail: 'operational', details: { tariff: TARIFF, tomorrow: 'published' } });
    expect(harness.fake.requests.map((r) => [r.path, r.query, r.auth])).toEqual([
      [PATH, { period_from: '2026-05-05T23:00:00.000Z', period_to: '2026-05-07T23:00:00.000Z' }, 'none'],
    ]);
  });

  it('reads every page, asking the base_url (never the host written in next)', async () => {
    harness.fake.setRates(PRODUCT, TARIFF, rows('rates-normal.json'));
    harness.fake.maxPageSize = 20;
    const run = await (await make()).run();
    expect(run.points).toHaveLength(94);
    expect(harness.fake.requests.map((r) => r.query.page)).toEqual([undefined, '2', '3', '4', '5']);
    expect(harness.fake.requests.every((r) => r.path === PATH && r.query.period_from === '2026-05-05T23:00:00.000Z')).toBe(true);
  });

  it('tomorrow not yet published: today only, no error; the next fetch rewrites the same times', async () => {
    vi.setSystemTime(Date.parse('2026-05-06T10:00:00Z'));
    harness.fake.setRates(PRODUCT, TARIFF, rows('rates-tomorrow-unpublished.json'));
    const first = await (await make()).run();
    expect(first.points).toHaveLength(46);
    expect(harness.src!.health()).toMatchObject({ status_detail: 'operational', item_errors: [], details: { tomorrow: 'not yet published' } });
    harness.fake.setRates(PRODUCT, TARIFF, rows('rates-normal.json'));
    const second = await harness.src!.run();
    expect(second.points.slice(0, 46).map((p) => [p.time.getTime(), p.tags])).toEqual(first.points.map((p) => [p.time.getTime(), p.tags]));
  });

  it('an unknown product or tariff (404) is a config error naming both', async () => {
    harness.fake.setRates(PRODUCT, TARIFF, rows('rates-normal.json'));
    await (await make({ region: 'P' })).run();
    expect(harness.src!.health()).toMatchObject({ status: 'error', status_detail: 'error' });
    expect(harness.src!.health().last_error?.message).toBe(
      'Octopus Energy has no tariff E-1R-AGILE-24-10-01-P in product AGILE-24-10-01 (404); check options.product_code and options.region',
    );
  });

  it('5xx: retried within the run, then degraded', async () => {
    harness.fake.setRates(PRODUCT, TARIFF, rows('rates-normal.json'));
    await expectRetriedThenDegraded(harness, 502);
    expect(harness.src!.health().last_error?.message).toBe(`Octopus Energy answered 502 Bad Gateway for GET ${PATH}: fake failure 502`);
  });

  it('malformed rows are data errors saying which row and what, and nothing is written', async () => {
    await make();
    const page = (results: unknown[]) => ({ count: results.length, next: null, previous: null, results });
    for (const [bad, message] of [
      [{ ...row('2026-05-06T10:00:00Z', 1, 1.05, null), value_exc_vat: '13.4' }, 'results[0].value_exc_vat is not a number'],
      [{ ...row('2026-05-06T10:00:00Z', 1, 1.05, null), valid_from: '06/05/2026 10:00' }, 'results[0].valid_from is not a date ("06/05/2026 10:00")'],
      [{ ...row('2026-05-06T10:00:00Z', 1, 1.05, null), valid_to: null }, 'results[0].valid_to is null: a rate without an end is not a time-of-use slot (is this an Agile tariff?)'],
    ] as const) {
      harness.fake.failNext(1, 200, { body: page([bad]) });
      expect((await harness.src!.run()).ok).toBe(false);
      expect(harness.src!.health().last_error?.message).toBe(message);
    }
    harness.fake.failNext(1, 200, { body: { detail: 'something else' } });
    await harness.src!.run();
    expect(harness.src!.health().last_error?.message).toBe('standard-unit-rates page 1: results is not a list');
    expect(harness.src!.points).toHaveLength(0);
  });

  it('rates per payment method: the configured one wins', async () => {
    harness.fake.setRates(PRODUCT, TARIFF, [
      row('2026-05-06T16:00:00Z', 20, 21, 'DIRECT_DEBIT'),
      row('2026-05-06T16:00:00Z', 22, 23.1, 'NON_DIRECT_DEBIT'),
      row('2026-05-06T16:30:00Z', 10, 10.5, null),
    ]);
    const dd = await (await make()).run();
    expect(dd.points.map((p) => p.fields.price_per_kwh)).toEqual([0.2, 0.1]);
    await harness.src!.stop();
    const other = await (await make({ payment_method: 'NON_DIRECT_DEBIT' })).run();
    expect(other.points.map((p) => p.fields.price_per_kwh_incl_tax)).toEqual([0.231, 0.105]);
  });

  it('daylight-saving days in UK time: 46 and 50 half hours, asked for by their real UTC bounds', async () => {
    for (const [file, now, from, to, start, end, count] of [
      ['rates-dst-spring.json', '2026-03-29T17:00:00Z', '2026-03-29T00:00:00.000Z', '2026-03-30T23:00:00.000Z', '2026-03-29T00:00:00Z', '2026-03-29T23:00:00Z', 46],
      ['rates-dst-autumn.json', '2026-10-25T17:00:00Z', '2026-10-24T23:00:00.000Z', '2026-10-27T00:00:00.000Z', '2026-10-24T23:00:00Z', '2026-10-26T00:00:00Z', 50],
    ] as const) {
      vi.setSystemTime(Date.parse(now));
      harness.fake.setRates(PRODUCT, TARIFF, rows(file));
      const before = harness.fake.requests.length;
      const run = await (await make()).run();
      expect(harness.fake.requests[before]!.query).toEqual({ period_from: from, period_to: to });
      expect(londonDay(run.points, start, end)).toHaveLength(count);
      await harness.src!.stop();
    }
  });

  it('latest answers the current half hour and the next', async () => {
    harness.fake.setRates(PRODUCT, TARIFF, rows('rates-normal.json'));
    await (await make()).run();
    expect(harness.src!.latest()).toMatchObject({ points: [{ time: '2026-05-06T17:00:00.000Z' }], next: [{ time: '2026-05-06T17:30:00.000Z' }] });
  });
});

describe('octopus-energy declaration', () => {
  itKeepsItsDeclaration(harness, { polls: 'polls every 15 minutes from 15:00 to 18:45 and not the rest of the day', hours: [15, 18], runs: 32, perDay: 16 });
});

describeLifecycle('octopus-energy', {
  plugin,
  startFake: lifecycleFake(startFakeOctopus, (f) => f.setRates(PRODUCT, TARIFF, rows('rates-normal.json'))),
  checkPoints: (points) => expect(points.every((p) => p.tags.area === TARIFF && p.tags.currency === 'GBP')).toBe(true),
});
