import { DataError } from '../../core/plugin-api/index.js';
import { toInstant } from './local-time.js';

/** Values of one time; null where Open-Meteo has none. */
export interface Snapshot {
  time: Date;
  values: Record<string, number | null>;
}

/** A `/v1/air-quality` answer, checked and with its times as instants. */
export interface AirQualityResponse {
  utcOffsetSeconds: number;
  timezone?: string;
  latitude?: number;
  longitude?: number;
  current?: Snapshot;
  hourly: Snapshot[];
}

type Block = Record<string, unknown>;

function blockOf(body: Block, key: string): Block | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new DataError(`${key} is not an object`);
  return v as Block;
}

function numberOrNull(v: unknown, where: string): number | null {
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new DataError(`${where} is not a number`);
  return v;
}

function readCurrent(body: Block, offset: number, names: readonly string[]): Snapshot | undefined {
  const block = blockOf(body, 'current');
  if (!block) return undefined;
  const time = toInstant(block.time, offset);
  if (!time) throw new DataError('current.time is not a date');
  const values: Record<string, number | null> = {};
  for (const name of names) if (block[name] !== undefined) values[name] = numberOrNull(block[name], `current.${name}`);
  return { time, values };
}

function readHourly(body: Block, offset: number, names: readonly string[]): Snapshot[] {
  const block = blockOf(body, 'hourly');
  if (!block) return [];
  if (!Array.isArray(block.time)) throw new DataError('hourly.time is not a list');
  const rows: Snapshot[] = block.time.map((t, i) => {
    const time = toInstant(t, offset);
    if (!time) throw new DataError(`hourly.time[${i}] is not a date`);
    return { time, values: {} };
  });
  for (const name of names) {
    const list = block[name];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new DataError(`hourly.${name} is not a list`);
    if (list.length !== rows.length) throw new DataError(`hourly.${name} has ${list.length} values for ${rows.length} times`);
    list.forEach((value, i) => (rows[i]!.values[name] = numberOrNull(value, `hourly.${name}[${i}]`)));
  }
  return rows;
}

const optionalNumber = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * Checks an answer of `/v1/air-quality` and converts its local times with `utc_offset_seconds`.
 * Whatever is not as documented is a DataError saying where (`hourly.us_aqi[3] is not a number`).
 */
export function readAirQualityResponse(body: unknown, names: readonly string[]): AirQualityResponse {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new DataError('the answer is not a JSON object');
  const b = body as Block;
  const offset = b.utc_offset_seconds;
  if (typeof offset !== 'number' || !Number.isInteger(offset)) throw new DataError('utc_offset_seconds is missing or not a whole number');
  return {
    utcOffsetSeconds: offset,
    timezone: typeof b.timezone === 'string' ? b.timezone : undefined,
    latitude: optionalNumber(b.latitude),
    longitude: optionalNumber(b.longitude),
    current: readCurrent(b, offset, names),
    hourly: readHourly(b, offset, names),
  };
}
