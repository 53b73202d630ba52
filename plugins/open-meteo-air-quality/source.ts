import { UpstreamError, type DataSource, type FetchResult, type RunContext } from '../../core/plugin-api/index.js';
import { readAirQualityResponse } from './air-quality-response.js';
import { openMeteoError, reasonOf } from './api-error.js';
import { INDEX_VARIABLES } from './aqi-scale.js';
import { forecastDays, type AirQualityOptions } from './options.js';
import { currentPoints, forecastPoints } from './points.js';

/** As the plugin's title, so that its messages and the host's name the API alike. */
const TITLE = 'Open-Meteo Air Quality';
const PATH = 'v1/air-quality';

/** One Open-Meteo air-quality source: the current hour and the hourly forecast, one request a run. */
export class AirQualitySource implements DataSource<AirQualityOptions> {
  async fetch(ctx: RunContext<AirQualityOptions>): Promise<FetchResult> {
    const o = ctx.options;
    const names = INDEX_VARIABLES[o.index].map((v) => v.api);
    // Local times make the answer readable to the user; they are converted back exactly.
    const searchParams: Record<string, string | number> = { latitude: o.latitude, longitude: o.longitude, current: names.join(','), timezone: 'auto' };
    if (o.forecast_hours > 0) Object.assign(searchParams, { hourly: names.join(','), forecast_days: forecastDays(o.forecast_hours) });
    let body: unknown;
    try {
      body = await ctx.http.get(PATH, { searchParams }).json<unknown>();
    } catch (err) {
      throw openMeteoError(err, TITLE, PATH) ?? err;
    }
    const refused = reasonOf(body);
    if (refused !== undefined) throw new UpstreamError(`${TITLE} answered an error for GET /${PATH}: ${refused}`, { retryable: false });
    const answer = readAirQualityResponse(body, names);
    const after = answer.current?.time ?? new Date();
    const points = [...currentPoints(answer.current, o.index), ...forecastPoints(answer.hourly, after, o.forecast_hours, o.index)];
    if (points.length === 0) {
      throw new UpstreamError(`Open-Meteo has no air-quality values for latitude ${o.latitude}, longitude ${o.longitude}`, { retryable: false });
    }
    const details = {
      index: o.index,
      timezone: answer.timezone ?? null,
      utc_offset_seconds: answer.utcOffsetSeconds,
      grid: { latitude: answer.latitude ?? null, longitude: answer.longitude ?? null },
    };
    return { points, details };
  }
}
