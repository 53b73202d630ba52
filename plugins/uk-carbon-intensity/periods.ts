import { answerObject, DataError, numberOrNull, type JsonObject } from '../../core/plugin-api/index.js';

/**
 * Reading the NESO Carbon Intensity API's answers, checking each while reading it: whatever is not
 * as documented is a DataError saying where (`fw48h: data[3].intensity.forecast is not a number`),
 * so nothing of that run is written.
 */

/** One fuel's share of the generation, in percent. */
export interface FuelShare {
  fuel: string;
  percent: number;
}

/** One half-hour period: `actual` is null for future periods and for every regional one. */
export interface Period {
  from: Date;
  forecast: number | null;
  actual: number | null;
  /** `very low`, `low`, `moderate`, `high` or `very high`, as NESO words it. */
  index: string | undefined;
  mix: FuelShare[];
}

/** A region as the regional endpoints describe it, with its periods. */
export interface RegionAnswer {
  regionId: number;
  shortname: string;
  dnoregion: string;
  periods: Period[];
}

/** NESO writes `2026-12-05T07:00Z` (no seconds); seconds are accepted too. */
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/;

function objectOf(v: unknown, where: string): JsonObject {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new DataError(`${where} is not an object`);
  return v as JsonObject;
}

function listOf(v: unknown, where: string): unknown[] {
  if (!Array.isArray(v)) throw new DataError(`${where} is not a list`);
  return v;
}

function timeOf(v: unknown, where: string): Date {
  const at = typeof v === 'string' && TIME.test(v) ? new Date(v) : undefined;
  if (!at || Number.isNaN(at.getTime())) throw new DataError(`${where} is not a UTC time like 2026-12-05T07:00Z (${JSON.stringify(v ?? null)})`);
  return at;
}

/** The `generationmix` list; absent is no mix. */
export function readMix(v: unknown, where: string): FuelShare[] {
  if (v === undefined) return [];
  return listOf(v, where).map((entry, i) => {
    const o = objectOf(entry, `${where}[${i}]`);
    if (typeof o.fuel !== 'string' || o.fuel === '') throw new DataError(`${where}[${i}].fuel is not a fuel name`);
    const percent = numberOrNull(o.perc, `${where}[${i}].perc`);
    if (percent === null) throw new DataError(`${where}[${i}].perc is not a number`);
    return { fuel: o.fuel, percent };
  });
}

function readPeriod(entry: unknown, where: string): Period {
  const o = objectOf(entry, where);
  const intensity = objectOf(o.intensity, `${where}.intensity`);
  const index = intensity.index;
  if (index !== undefined && index !== null && typeof index !== 'string') throw new DataError(`${where}.intensity.index is not a word`);
  return {
    from: timeOf(o.from, `${where}.from`),
    forecast: numberOrNull(intensity.forecast ?? null, `${where}.intensity.forecast`),
    actual: numberOrNull(intensity.actual ?? null, `${where}.intensity.actual`),
    index: typeof index === 'string' ? index : undefined,
    mix: readMix(o.generationmix, `${where}.generationmix`),
  };
}

/** The periods of a list (`data` of a national answer, or of a region). */
export function readPeriods(v: unknown, where: string): Period[] {
  return listOf(v, where).map((entry, i) => readPeriod(entry, `${where}[${i}]`));
}

/** A national answer, `{"data":[period, …]}` (`/intensity`, `/intensity/{from}/fw48h`). */
export function readNational(body: unknown, call: string): Period[] {
  return readPeriods(answerObject(body).data, `${call}: data`);
}

/**
 * A regional answer: `{"data":{region}}` (the ranges) or `{"data":[{region}]}` (the current
 * period by id or postcode); the region holds its periods in its own `data`.
 */
export function readRegion(body: unknown, call: string): RegionAnswer {
  const data = answerObject(body).data;
  const list = Array.isArray(data);
  if (list && data.length !== 1) throw new DataError(`${call}: data holds ${data.length} regions, expected one`);
  const where = `${call}: data${list ? '[0]' : ''}`;
  const region = objectOf(list ? data[0] : data, where);
  if (typeof region.regionid !== 'number' || !Number.isInteger(region.regionid)) throw new DataError(`${where}.regionid is not a region id`);
  if (typeof region.shortname !== 'string' || region.shortname === '') throw new DataError(`${where}.shortname is not a name`);
  return {
    regionId: region.regionid,
    shortname: region.shortname,
    dnoregion: typeof region.dnoregion === 'string' ? region.dnoregion : '',
    periods: readPeriods(region.data, `${where}.data`),
  };
}

/** `/generation`: `{"data":{"from","to","generationmix":[…]}}`, the current national mix. */
export function readGeneration(body: unknown): { from: Date; mix: FuelShare[] } {
  const data = objectOf(answerObject(body).data, 'generation: data');
  return { from: timeOf(data.from, 'generation: data.from'), mix: readMix(data.generationmix ?? [], 'generation: data.generationmix') };
}
