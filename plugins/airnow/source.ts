import {
  ConfigError,
  UpstreamError,
  type DataSource,
  type FetchResult,
  type ItemError,
  type Point,
  type RunContext,
} from '../../core/plugin-api/index.js';
import { describePlace, type AirNowOptions } from './options.js';
import { forecastPoints, observationPoints } from './points.js';
import { readForecasts, readObservations } from './records.js';
import { FORECAST_PATH, OBSERVATIONS_PATH, readRecords } from './web-service.js';

/**
 * One AirNow source: the current observations and the daily forecasts of one place, two requests a
 * run. An empty observation answer is an item error ("no monitoring station reports near …"), so
 * forecasts still arrive; many reporting areas publish no forecast, so an empty one only warns.
 */
export class AirNowSource implements DataSource<AirNowOptions> {
  constructor(options: AirNowOptions) {
    if (!options.observations && !options.forecast) {
      throw new ConfigError('observations and forecast are both false: nothing to read (set one of them to true)');
    }
  }

  async fetch(ctx: RunContext<AirNowOptions>): Promise<FetchResult> {
    const place = describePlace(ctx.options);
    const points: Point[] = [];
    const errors: ItemError[] = [];
    const warnings: string[] = [];
    const details: Record<string, unknown> = { place };
    if (ctx.options.observations) {
      const observations = readObservations(await readRecords(ctx, OBSERVATIONS_PATH, 'observations'));
      if (observations.length === 0) {
        errors.push({ item: 'observations', error: new UpstreamError(`no monitoring station reports near ${place}`, { retryable: false }) });
      } else {
        points.push(...observationPoints(observations, warnings));
        const first = observations[0]!;
        Object.assign(details, { reporting_area: first.reportingArea ?? null, station: first.siteName ?? null, observed_at: first.time.toISOString() });
      }
    }
    if (ctx.options.forecast) {
      const forecasts = readForecasts(await readRecords(ctx, FORECAST_PATH, 'forecast'));
      if (forecasts.length === 0) warnings.push(`AirNow has no forecast for ${place}`);
      points.push(...forecastPoints(forecasts, warnings));
      details.forecast_days = [...new Set(forecasts.map((f) => f.date))];
    }
    return { points, errors, warnings, details };
  }
}
