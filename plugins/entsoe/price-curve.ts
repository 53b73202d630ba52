import { DataError, type Point } from '../../core/plugin-api/index.js';
import type { PricePeriod } from './xml-document.js';

const QUARTER_MS = 900_000;
/**
 * The longest period read: the plugin asks for one day at a time, and ENTSO-E answers a period
 * per day. A period of years (a broken `end`) would be millions of slots: refused, not expanded.
 */
const MAX_PERIOD_DAYS = 31;
const DAY_MS = 86_400_000;

/** MWh prices per kWh, without binary noise: 55.35 / 1000 is 0.05535, not 0.055350000000000003. */
function perKwh(perMwh: number): number {
  return Number((perMwh / 1000).toPrecision(12));
}

/**
 * The prices of one period by slot: A03 omits a position whose price repeats the previous one, so
 * missing positions take the last price (forward fill); under A01 a missing position is a gap.
 */
function periodSlots(p: PricePeriod): { time: Date; price: number }[] {
  const slotMs = p.minutes * 60_000;
  const span = p.end.getTime() - p.start.getTime();
  if (span <= 0 || span % slotMs !== 0) {
    throw new DataError(`${p.where}.timeInterval does not hold a whole number of ${p.resolution} slots`);
  }
  if (span > MAX_PERIOD_DAYS * DAY_MS) {
    throw new DataError(
      `${p.where}.timeInterval ${p.start.toISOString()}/${p.end.toISOString()} spans ${Math.round(span / DAY_MS)} days, more than the ${MAX_PERIOD_DAYS} a day-ahead period may`,
    );
  }
  const count = span / slotMs;
  for (const pos of p.prices.keys()) {
    if (pos < 1 || pos > count) throw new DataError(`${p.where}: position ${pos} is outside 1..${count}`);
  }
  const fill = p.curveType === 'A03';
  if (fill && p.prices.size > 0 && !p.prices.has(1)) throw new DataError(`${p.where}: curve type A03 without position 1`);
  const slots: { time: Date; price: number }[] = [];
  let last: number | undefined;
  for (let pos = 1; pos <= count; pos++) {
    const price = p.prices.get(pos) ?? (fill ? last : undefined);
    if (price === undefined) continue;
    last = price;
    slots.push({ time: new Date(p.start.getTime() + (pos - 1) * slotMs), price });
  }
  return slots;
}

/** The quarter hours a slot covers, as keys: a 60-minute slot covers four. */
function quarters(time: Date, minutes: number): number[] {
  return Array.from({ length: Math.ceil(minutes / 15) }, (_, i) => time.getTime() + i * QUARTER_MS);
}

/**
 * `electricity_price` points from the periods of one or more documents. Where periods overlap
 * (a document carrying a day both as PT15M and PT60M, or a period repeated), the preferred
 * resolution wins, then the first period seen, so each instant has one price.
 */
export function curvePoints(periods: PricePeriod[], zone: string, prefer: string): Point[] {
  const ordered = [...periods].sort((a, b) => Number(b.resolution === prefer) - Number(a.resolution === prefer));
  const taken = new Set<number>();
  const points: Point[] = [];
  for (const period of ordered) {
    for (const slot of periodSlots(period)) {
      const keys = quarters(slot.time, period.minutes);
      if (keys.some((k) => taken.has(k))) continue;
      for (const k of keys) taken.add(k);
      points.push({
        measurement: 'electricity_price',
        tags: { provider: 'entsoe', area: zone, currency: period.currency, resolution: period.resolution },
        fields: { price_per_kwh: perKwh(slot.price) },
        time: slot.time,
      });
    }
  }
  return points.sort((a, b) => a.time.getTime() - b.time.getTime());
}
