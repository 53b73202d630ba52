import { DataError, type Point } from '../../core/plugin-api/index.js';

/** One standard unit rate row, checked. */
interface Rate {
  from: Date;
  minutes: number;
  excVat: number;
  incVat: number;
  paymentMethod: string | null;
}

const RESOLUTIONS: Record<number, string> = { 15: 'PT15M', 30: 'PT30M', 60: 'PT60M' };
const UTC_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function time(row: Record<string, unknown>, key: string, where: string): Date {
  const v = row[key];
  if (v === null && key === 'valid_to') {
    throw new DataError(`${where}.valid_to is null: a rate without an end is not a time-of-use slot (is this an Agile tariff?)`);
  }
  if (typeof v !== 'string' || !UTC_TIME.test(v) || Number.isNaN(Date.parse(v))) {
    throw new DataError(`${where}.${key} is not a date (${JSON.stringify(v ?? null)})`);
  }
  return new Date(v);
}

function readRate(row: unknown, where: string): Rate {
  if (!row || typeof row !== 'object') throw new DataError(`${where} is not an object`);
  const r = row as Record<string, unknown>;
  for (const key of ['value_exc_vat', 'value_inc_vat']) {
    if (typeof r[key] !== 'number' || !Number.isFinite(r[key])) throw new DataError(`${where}.${key} is not a number`);
  }
  const from = time(r, 'valid_from', where);
  const minutes = (time(r, 'valid_to', where).getTime() - from.getTime()) / 60_000;
  if (!RESOLUTIONS[minutes]) throw new DataError(`${where}: a slot of ${minutes} minutes, not 15, 30 or 60 (is this an Agile tariff?)`);
  const paymentMethod = typeof r.payment_method === 'string' ? r.payment_method : null;
  return { from, minutes, excVat: r.value_exc_vat as number, incVat: r.value_inc_vat as number, paymentMethod };
}

/** Pence to pounds, without binary noise (13.4286 p is 0.134286 GBP). */
function pounds(pence: number): number {
  return Number((pence / 100).toPrecision(12));
}

/**
 * `electricity_price` points from Octopus rate rows (any order; Octopus sends newest first).
 * Rows for another payment method are left out; where a slot has a row for `paymentMethod` and
 * one for none, the specific one wins. Negative prices are kept: Agile pays for use at times.
 */
export function ratePoints(rows: unknown[], tariff: string, paymentMethod: string): Point[] {
  const bySlot = new Map<number, Rate>();
  rows.forEach((row, i) => {
    const rate = readRate(row, `results[${i}]`);
    if (rate.paymentMethod !== null && rate.paymentMethod !== paymentMethod) return;
    const seen = bySlot.get(rate.from.getTime());
    if (!seen || (seen.paymentMethod === null && rate.paymentMethod !== null)) bySlot.set(rate.from.getTime(), rate);
  });
  return [...bySlot.values()]
    .sort((a, b) => a.from.getTime() - b.from.getTime())
    .map((r) => ({
      measurement: 'electricity_price',
      tags: { provider: 'octopus-energy', area: tariff, currency: 'GBP', resolution: RESOLUTIONS[r.minutes]! },
      fields: { price_per_kwh: pounds(r.excVat), price_per_kwh_incl_tax: pounds(r.incVat) },
      time: r.from,
    }));
}
