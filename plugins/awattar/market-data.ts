import { DataError, type Point } from '../../core/plugin-api/index.js';

const RESOLUTIONS: Record<number, string> = { 15: 'PT15M', 30: 'PT30M', 60: 'PT60M' };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function epochMs(entry: Record<string, unknown>, key: string, where: string): number {
  const v = entry[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new DataError(`${where}.${key} is not a time in epoch milliseconds`);
  return v;
}

/** EUR/MWh to EUR/kWh without binary noise (42.09 gives 0.04209). */
function perKwh(perMwh: number): number {
  return Number((perMwh / 1000).toPrecision(12));
}

/**
 * `electricity_price` points from an aWATTar `/v1/marketdata` answer
 * (`{"object":"list","data":[{"start_timestamp","end_timestamp","marketprice","unit"}]}`).
 * The slot length comes from each entry (hourly today; 15 minutes should aWATTar follow the market).
 * @throws DataError naming the first entry that is not as documented.
 */
export function marketPoints(body: unknown, country: string): Point[] {
  if (!isObject(body) || !Array.isArray(body.data)) throw new DataError('marketdata: data is not a list');
  return body.data.map((entry: unknown, i) => {
    const where = `marketdata: data[${i}]`;
    if (!isObject(entry)) throw new DataError(`${where} is not an object`);
    const start = epochMs(entry, 'start_timestamp', where);
    const minutes = (epochMs(entry, 'end_timestamp', where) - start) / 60_000;
    const resolution = RESOLUTIONS[minutes];
    if (!resolution) throw new DataError(`${where}: a slot of ${minutes} minutes, not 15, 30 or 60`);
    if (typeof entry.marketprice !== 'number' || !Number.isFinite(entry.marketprice)) throw new DataError(`${where}.marketprice is not a number`);
    if (typeof entry.unit !== 'string' || entry.unit.toLowerCase() !== 'eur/mwh') {
      throw new DataError(`${where}.unit is ${JSON.stringify(entry.unit ?? null)}, not Eur/MWh`);
    }
    return {
      measurement: 'electricity_price',
      tags: { provider: 'awattar', area: country, currency: 'EUR', resolution },
      fields: { price_per_kwh: perKwh(entry.marketprice) },
      time: new Date(start),
    };
  });
}
