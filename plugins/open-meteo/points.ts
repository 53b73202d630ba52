import { int, type FieldValue, type Point } from '../../core/plugin-api/index.js';
import type { Snapshot } from './forecast-response.js';
import type { Variable } from './variables.js';

const TAGS = { provider: 'open-meteo' } as const;

/** The fields of a snapshot: only the values Open-Meteo gave (nulls are left out). */
function fieldsOf(snapshot: Snapshot, variables: readonly Variable[]): Record<string, FieldValue> {
  const fields: Record<string, FieldValue> = {};
  for (const v of variables) {
    const value = snapshot.values[v.api];
    if (value === null || value === undefined) continue;
    fields[v.field] = v.int ? int(value) : value;
  }
  return fields;
}

/** `weather` at the current values' time. */
export function currentPoint(current: Snapshot | undefined, variables: readonly Variable[]): Point[] {
  if (!current) return [];
  const fields = fieldsOf(current, variables);
  return Object.keys(fields).length > 0 ? [{ measurement: 'weather', tags: { ...TAGS }, fields, time: current.time }] : [];
}

/** `weather_forecast`: the first `hours` hourly rows after `after`, each with the values it has. */
export function forecastPoints(hourly: Snapshot[], after: Date, hours: number, variables: readonly Variable[]): Point[] {
  const points: Point[] = [];
  for (const row of hourly) {
    if (points.length >= hours) break;
    if (row.time.getTime() <= after.getTime()) continue;
    const fields = fieldsOf(row, variables);
    if (Object.keys(fields).length > 0) points.push({ measurement: 'weather_forecast', tags: { ...TAGS }, fields, time: row.time });
  }
  return points;
}
