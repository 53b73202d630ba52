import { int, type FieldValue, type Point } from '../../core/plugin-api/index.js';
import type { Category, Forecast, Observation } from './records.js';

/** AirNow's parameter names as CONTRACT §4 tags them; the 2026 services say `OZONE` for `O3`. */
const PARAMETER_TAGS: Readonly<Record<string, string>> = {
  OZONE: 'o3',
  O3: 'o3',
  'PM2.5': 'pm25',
  PM25: 'pm25',
  PM10: 'pm10',
  NO2: 'no2',
  CO: 'co',
  SO2: 'so2',
};

/** The contract's `parameter` tag for an AirNow parameter name, or undefined for one it lacks. */
export function parameterTag(name: string): string | undefined {
  return PARAMETER_TAGS[name.trim().toUpperCase().replace(/\s+/g, '')];
}

interface Reading {
  time: Date;
  parameterName: string;
  aqi?: number;
  category: Category;
}

function fieldsOf(r: Reading): Record<string, FieldValue> {
  const fields: Record<string, FieldValue> = {};
  if (r.aqi !== undefined) fields.aqi = r.aqi;
  if (r.category.number !== undefined) fields.category = int(r.category.number);
  if (r.category.name !== undefined) fields.category_name = r.category.name;
  return fields;
}

/**
 * `overall` of a set of readings at one time: the highest AQI (Home Assistant's rule), with that
 * reading's category; when no reading has an index value (forecasts of a category only), the
 * highest category.
 */
function overallOf(readings: Reading[]): Reading | undefined {
  const rank = (r: Reading) => (r.aqi !== undefined ? 1000 + r.aqi : (r.category.number ?? -1));
  let best: Reading | undefined;
  for (const r of readings) if (rank(r) >= 0 && (!best || rank(r) > rank(best))) best = r;
  return best;
}

/**
 * Points of one measurement, one per reading, plus one `overall` per group of readings (`groupOf`),
 * written at the newest time of its group.
 */
function toPoints(measurement: string, readings: Reading[], warnings: string[], groupOf: (r: Reading) => number): Point[] {
  const points: Point[] = [];
  const groups = new Map<number, Reading[]>();
  for (const r of readings) {
    const parameter = parameterTag(r.parameterName);
    if (!parameter) {
      const w = `AirNow reported a parameter this plugin does not know: ${r.parameterName}`;
      if (!warnings.includes(w)) warnings.push(w);
      continue;
    }
    const fields = fieldsOf(r);
    if (Object.keys(fields).length === 0) continue;
    points.push({ measurement, tags: { provider: 'airnow', parameter }, fields, time: r.time });
    const group = groups.get(groupOf(r)) ?? [];
    group.push(r);
    groups.set(groupOf(r), group);
  }
  for (const group of groups.values()) {
    const overall = overallOf(group);
    const newest = Math.max(...group.map((r) => r.time.getTime()));
    if (overall) points.push({ measurement, tags: { provider: 'airnow', parameter: 'overall' }, fields: fieldsOf(overall), time: new Date(newest) });
  }
  return points;
}

/**
 * `air_quality` points at each observation's time. AirNow answers the closest reading of each
 * pollutant, which may be of different hours; `overall` is over all of them (the current air),
 * at the newest hour.
 */
export function observationPoints(observations: Observation[], warnings: string[]): Point[] {
  return toPoints('air_quality', observations, warnings, () => 0);
}

/** `air_quality_forecast` points at midnight UTC of the day each forecast is valid for. */
export function forecastPoints(forecasts: Forecast[], warnings: string[]): Point[] {
  return toPoints('air_quality_forecast', forecasts, warnings, (r) => r.time.getTime());
}
