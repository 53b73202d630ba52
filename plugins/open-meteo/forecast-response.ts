import { DataError } from '../../core/plugin-api/index.js';
import { toInstant } from './local-time.js';
import type { Variable } from './variables.js';

/** Values of one time; null where Open-Meteo has none. */
export interface Snapshot {
  time: Date;
  values: Record<string, number | null>;
}

/** A `/v1/forecast` answer, checked and with its times as instants. */
export interface ForecastResponse {
  utcOffsetSeconds: number;
  timezone?: string;
  latitude?: number;
  longitude?: number;
  elevation?: number;
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

function checkUnit(units: Block | undefined, unitsKey: string, variable: Variable): void {
  const unit = units?.[variable.api];
  if (typeof unit === 'string' && unit !== variable.unit) {
    throw new DataError(`${unitsKey}.${variable.api} is ${JSON.stringify(unit)}, expected ${JSON.stringify(variable.unit)}`);
  }
}

function numberOrNull(v: unknown, where: string): number | null {
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new DataError(`${where} is not a number`);
  return v;
}

function readCurrent(body: Block, offset: number, variables: readonly Variable[]): Snapshot | undefined {
  const block = blockOf(body, 'current');
  if (!block) return undefined;
  const time = toInstant(block.time, offset);
  if (!time) throw new DataError('current.time is not a date');
  const units = blockOf(body, 'current_units');
  const values: Record<string, number | null> = {};
  for (const v of variables) {
    if (block[v.api] === undefined) continue;
    checkUnit(units, 'current_units', v);
    values[v.api] = numberOrNull(block[v.api], `current.${v.api}`);
  }
  return { time, values };
}

function readHourly(body: Block, offset: number, variables: readonly Variable[]): Snapshot[] {
  const block = blockOf(body, 'hourly');
  if (!block) return [];
  if (!Array.isArray(block.time)) throw new DataError('hourly.time is not a list');
  const rows: Snapshot[] = block.time.map((t, i) => {
    const time = toInstant(t, offset);
    if (!time) throw new DataError(`hourly.time[${i}] is not a date`);
    return { time, values: {} };
  });
  const units = blockOf(body, 'hourly_units');
  for (const v of variables) {
    const list = block[v.api];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new DataError(`hourly.${v.api} is not a list`);
    if (list.length !== rows.length) throw new DataError(`hourly.${v.api} has ${list.length} values for ${rows.length} times`);
    checkUnit(units, 'hourly_units', v);
    list.forEach((value, i) => (rows[i]!.values[v.api] = numberOrNull(value, `hourly.${v.api}[${i}]`)));
  }
  return rows;
}

const optionalNumber = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * Checks an answer of `/v1/forecast` and converts its local times with `utc_offset_seconds`.
 * Whatever is not as documented is a DataError saying where (`hourly.time[3] is not a date`).
 */
export function readForecastResponse(body: unknown, variables: readonly Variable[]): ForecastResponse {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new DataError('the answer is not a JSON object');
  const b = body as Block;
  const offset = b.utc_offset_seconds;
  if (typeof offset !== 'number' || !Number.isInteger(offset)) throw new DataError('utc_offset_seconds is missing or not a whole number');
  return {
    utcOffsetSeconds: offset,
    timezone: typeof b.timezone === 'string' ? b.timezone : undefined,
    latitude: optionalNumber(b.latitude),
    longitude: optionalNumber(b.longitude),
    elevation: optionalNumber(b.elevation),
    current: readCurrent(b, offset, variables),
    hourly: readHourly(b, offset, variables),
  };
}
