import { DataError, type Point } from '../../core/plugin-api/index.js';
import type { TibberResolution } from './queries.js';

/** One of Tibber's `Price` objects, checked. */
export interface TibberPrice {
  /** energy + tax, in the home's currency per kWh. */
  total: number;
  /** The energy price without tax. */
  energy: number;
  startsAt: Date;
  currency: string;
  level?: string;
}

export interface HomePrices {
  today: TibberPrice[];
  tomorrow: TibberPrice[];
}

/** `startsAt` as Tibber writes it: the home's local time with its offset, e.g. 2026-05-06T14:15:00.000+02:00. */
const STARTS_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const RESOLUTIONS: Record<number, string> = { 15: 'PT15M', 30: 'PT30M', 60: 'PT60M' };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads `viewer.home.currentSubscription.priceInfo` of a prices answer. Returns null when the home
 * has no current subscription (Tibber answers `currentSubscription: null`).
 * @throws DataError naming the first thing that is not as Tibber documents it.
 */
export function readHomePrices(data: Record<string, unknown>, where: string): HomePrices | null {
  const viewer = data.viewer;
  const home = isObject(viewer) ? viewer.home : undefined;
  if (!isObject(home)) throw new DataError(`${where}: viewer.home is missing`);
  if (home.currentSubscription === null) return null;
  const sub = home.currentSubscription;
  const info = isObject(sub) ? sub.priceInfo : undefined;
  if (!isObject(info)) throw new DataError(`${where}: viewer.home.currentSubscription.priceInfo is missing`);
  const fallback = isObject(info.current) && typeof info.current.currency === 'string' ? info.current.currency : undefined;
  return {
    today: readDay(info.today, `${where}: priceInfo.today`, fallback),
    tomorrow: readDay(info.tomorrow ?? [], `${where}: priceInfo.tomorrow`, fallback),
  };
}

function readDay(list: unknown, where: string, currency: string | undefined): TibberPrice[] {
  if (!Array.isArray(list)) throw new DataError(`${where} is not a list`);
  return list.map((item, i) => readPrice(item, `${where}[${i}]`, currency));
}

function readPrice(item: unknown, where: string, fallbackCurrency: string | undefined): TibberPrice {
  if (!isObject(item)) throw new DataError(`${where} is not an object`);
  for (const key of ['total', 'energy'] as const) {
    if (typeof item[key] !== 'number' || !Number.isFinite(item[key])) throw new DataError(`${where}.${key} is not a number`);
  }
  const startsAt = item.startsAt;
  if (typeof startsAt !== 'string' || !STARTS_AT.test(startsAt) || Number.isNaN(Date.parse(startsAt))) {
    throw new DataError(`${where}.startsAt is not a date with a UTC offset (${JSON.stringify(startsAt ?? null)})`);
  }
  const currency = typeof item.currency === 'string' && item.currency ? item.currency : fallbackCurrency;
  if (!currency) throw new DataError(`${where}.currency is missing`);
  const level = typeof item.level === 'string' ? item.level : undefined;
  return { total: item.total as number, energy: item.energy as number, startsAt: new Date(startsAt), currency, ...(level ? { level } : {}) };
}

/**
 * The slot length of one day's prices: the shortest gap between two starts (a day with 96 prices
 * is quarter-hourly whether or not we asked for it). A single price takes the asked resolution.
 */
function dayResolution(day: TibberPrice[], asked: TibberResolution, where: string): string {
  const times = day.map((p) => p.startsAt.getTime()).sort((a, b) => a - b);
  let gap = Infinity;
  for (let i = 1; i < times.length; i++) gap = Math.min(gap, times[i]! - times[i - 1]!);
  if (gap === Infinity) return asked === 'HOURLY' ? 'PT60M' : 'PT15M';
  const resolution = RESOLUTIONS[gap / 60_000];
  if (!resolution) throw new DataError(`${where}: prices ${gap / 60_000} minutes apart, not 15, 30 or 60`);
  return resolution;
}

/** `electricity_price` points of one home and day (CONTRACT §4); the home id is the `area`. */
export function pricePoints(homeId: string, day: TibberPrice[], asked: TibberResolution, where: string): Point[] {
  const resolution = dayResolution(day, asked, where);
  return day.map((p) => ({
    measurement: 'electricity_price',
    tags: { provider: 'tibber', area: homeId, currency: p.currency, resolution },
    fields: { price_per_kwh: p.energy, price_per_kwh_incl_tax: p.total, ...(p.level ? { level: p.level } : {}) },
    time: p.startsAt,
  }));
}
