import { int, type Point } from '../../core/plugin-api/index.js';
import type { Snapshot } from './air-quality-response.js';
import { categoryOf, INDEX_VARIABLES } from './aqi-scale.js';
import type { AqiIndex } from './options.js';

/** One point per parameter Open-Meteo gave a value for at this time (nulls are left out). */
function snapshotPoints(measurement: string, snapshot: Snapshot, index: AqiIndex): Point[] {
  const points: Point[] = [];
  for (const v of INDEX_VARIABLES[index]) {
    const aqi = snapshot.values[v.api];
    if (aqi === null || aqi === undefined) continue;
    const category = categoryOf(index, aqi);
    points.push({
      measurement,
      tags: { provider: 'open-meteo', parameter: v.parameter },
      fields: { aqi, category: int(category.number), category_name: category.name },
      time: snapshot.time,
    });
  }
  return points;
}

/** `air_quality` at the current values' time. */
export function currentPoints(current: Snapshot | undefined, index: AqiIndex): Point[] {
  return current ? snapshotPoints('air_quality', current, index) : [];
}

/** `air_quality_forecast`: the first `hours` hourly rows after `after`. */
export function forecastPoints(hourly: Snapshot[], after: Date, hours: number, index: AqiIndex): Point[] {
  return hourly
    .filter((row) => row.time.getTime() > after.getTime())
    .slice(0, hours)
    .flatMap((row) => snapshotPoints('air_quality_forecast', row, index));
}
