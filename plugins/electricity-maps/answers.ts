import { answerObject, DataError, numberOrNull, type JsonObject } from '../../core/plugin-api/index.js';

/**
 * Reading Electricity Maps' v3 answers, each checked while read: what is not as documented is a
 * DataError saying where (`history: history[3].carbonIntensity is not a number`).
 */

/** One hourly value in gCO2eq/kWh; `estimated` where the answer says. */
export interface Reading {
  time: Date;
  value: number;
  estimated: boolean | undefined;
}

function timeOf(v: unknown, where: string): Date {
  const at = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v) ? new Date(v) : undefined;
  if (!at || Number.isNaN(at.getTime())) throw new DataError(`${where} is not a time (${JSON.stringify(v ?? null)})`);
  return at;
}

function readingOf(entry: unknown, where: string): Reading | undefined {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw new DataError(`${where} is not an object`);
  const o = entry as JsonObject;
  const value = numberOrNull(o.carbonIntensity ?? null, `${where}.carbonIntensity`);
  const time = timeOf(o.datetime, `${where}.datetime`);
  // A null value is an hour Electricity Maps has no figure for: left out, not written as 0.
  return value === null ? undefined : { time, value, estimated: typeof o.isEstimated === 'boolean' ? o.isEstimated : undefined };
}

/** `/v3/carbon-intensity/latest`: `{"zone","carbonIntensity","datetime","isEstimated",…}`. */
export function readLatest(body: unknown): { zone: string; reading: Reading | undefined } {
  const o = answerObject(body);
  if (typeof o.zone !== 'string' || o.zone === '') throw new DataError('latest: zone is not a zone key');
  return { zone: o.zone, reading: readingOf(o, 'latest') };
}

/** The list at `key` of `/history` (`history`) or `/forecast` (`forecast`). */
export function readSeries(body: unknown, key: 'history' | 'forecast'): Reading[] {
  const list = answerObject(body)[key];
  if (!Array.isArray(list)) throw new DataError(`${key}: ${key} is not a list`);
  return list.map((entry, i) => readingOf(entry, `${key}: ${key}[${i}]`)).filter((r): r is Reading => r !== undefined);
}
