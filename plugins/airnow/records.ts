import { DataError } from '../../core/plugin-api/index.js';
import { localHourInstant, utcMidnight, utcOffsetHours } from './time-zones.js';

/**
 * AirNow records in the legacy model (`DateObserved`, `HourObserved`, `ParameterName`, `AQI`,
 * `Category{Number,Name}`), read from either the 2026 camelCase shape (`dateObserved`,
 * `hourObserved: "19:00"`, `nowcastAQI`, `aqiCategoryName`) or the legacy PascalCase one, as
 * pyairnow 1.4 normalises them.
 */
export interface Category {
  /** 1 (Good) to 6 (Hazardous); absent when AirNow gives only an unknown name. */
  number?: number;
  name?: string;
}

export interface Observation {
  time: Date;
  parameterName: string;
  /** Absent when AirNow reports no index value (`-1`). */
  aqi?: number;
  category: Category;
  reportingArea?: string;
  siteName?: string;
}

export interface Forecast {
  /** `YYYY-MM-DD`, the day the forecast is valid for. */
  date: string;
  time: Date;
  parameterName: string;
  aqi?: number;
  category: Category;
  reportingArea?: string;
}

/** EPA's category names, numbered as the legacy API numbered them. */
const CATEGORY_NUMBERS: Readonly<Record<string, number>> = {
  good: 1,
  moderate: 2,
  'unhealthy for sensitive groups': 3,
  unhealthy: 4,
  'very unhealthy': 5,
  hazardous: 6,
};

type Row = Record<string, unknown>;

/** The first of `keys` present in `row` (camelCase first, then the legacy PascalCase). */
function pick(row: Row, ...keys: string[]): unknown {
  for (const key of keys) if (row[key] !== undefined && row[key] !== null) return row[key];
  return undefined;
}

function asRow(value: unknown, where: string): Row {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new DataError(`${where} is not an object`);
  return value as Row;
}

function text(row: Row, where: string, ...keys: string[]): string {
  const v = pick(row, ...keys);
  if (typeof v !== 'string' || !v.trim()) throw new DataError(`${where}.${keys[0]} is missing or not a string`);
  // Legacy payloads carried a trailing space in dates ("2023-06-09 ").
  return v.trim();
}

function optionalText(row: Row, ...keys: string[]): string | undefined {
  const v = pick(row, ...keys);
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/** The index value; AirNow sends -1 when only a category was given. */
function aqiOf(row: Row, where: string, ...keys: string[]): number | undefined {
  const v = pick(row, ...keys);
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new DataError(`${where}.${keys[0]} is not a number`);
  return v < 0 ? undefined : v;
}

function categoryOf(row: Row): Category {
  const legacy = row.Category && typeof row.Category === 'object' ? (row.Category as Row) : {};
  const rawName = optionalText(row, 'aqiCategoryName', 'categoryName') ?? optionalText(legacy, 'Name');
  const rawNumber = pick(row, 'aqiCategoryNumber', 'categoryNumber') ?? pick(legacy, 'Number');
  const derived = rawName ? CATEGORY_NUMBERS[rawName.toLowerCase()] : undefined;
  const number = typeof rawNumber === 'number' && rawNumber >= 1 && rawNumber <= 6 ? rawNumber : derived;
  // 7 is "Unavailable": no category at all.
  const name = rawName && !/^unavailable$/i.test(rawName) ? rawName : undefined;
  return { ...(number !== undefined ? { number } : {}), ...(name !== undefined ? { name } : {}) };
}

/** `"19:00"` (2026 services) or `19` (legacy) to an hour 0–23. */
function hourOf(row: Row, where: string): number {
  const v = pick(row, 'hourObserved', 'HourObserved');
  const m = typeof v === 'string' ? /^(\d{1,2})(?::00)?$/.exec(v.trim()) : null;
  const hour = typeof v === 'number' ? v : m ? Number(m[1]) : NaN;
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) throw new DataError(`${where}.hourObserved is not an hour (HH:00)`);
  return hour;
}

/** Reads the current observations; a record that is not what AirNow sends is a DataError naming it. */
export function readObservations(rows: unknown[], what = 'observations'): Observation[] {
  return rows.map((value, i) => {
    const where = `${what}[${i}]`;
    const row = asRow(value, where);
    const date = text(row, where, 'dateObserved', 'DateObserved');
    if (utcMidnight(date) === undefined) throw new DataError(`${where}.dateObserved is not a date (YYYY-MM-DD)`);
    const hour = hourOf(row, where);
    const zone = text(row, where, 'localTimeZone', 'LocalTimeZone');
    if (utcOffsetHours(zone) === undefined) throw new DataError(`${where}.localTimeZone ${JSON.stringify(zone)} is not a known US time zone`);
    return {
      time: localHourInstant(date, hour, zone)!,
      parameterName: text(row, where, 'parameterName', 'ParameterName'),
      aqi: aqiOf(row, where, 'nowcastAQI', 'AQI', 'aqi'),
      category: categoryOf(row),
      reportingArea: optionalText(row, 'reportingAreaName', 'reportingArea', 'ReportingArea'),
      siteName: optionalText(row, 'siteName', 'SiteName'),
    };
  });
}

/** Reads the daily forecasts (one record per day and pollutant). */
export function readForecasts(rows: unknown[], what = 'forecast'): Forecast[] {
  return rows.map((value, i) => {
    const where = `${what}[${i}]`;
    const row = asRow(value, where);
    const date = text(row, where, 'dateValid', 'DateForecast');
    const midnight = utcMidnight(date);
    if (midnight === undefined) throw new DataError(`${where}.dateValid is not a date (YYYY-MM-DD)`);
    return {
      date,
      time: new Date(midnight),
      parameterName: text(row, where, 'parameterName', 'ParameterName'),
      aqi: aqiOf(row, where, 'aqi', 'AQI'),
      category: categoryOf(row),
      reportingArea: optionalText(row, 'reportingArea', 'reportingAreaName', 'ReportingArea'),
    };
  });
}
