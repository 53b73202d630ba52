import { flaggedErrorReason, getExplainedJson, UpstreamError, type DataSource, type FetchResult, type RefusalStyle, type RunContext } from '../../core/plugin-api/index.js';
import { readAirQualityResponse } from './air-quality-response.js';
import { INDEX_VARIABLES } from './aqi-scale.js';
import { forecastDays, type AirQualityOptions } from './options.js';
import { currentPoints, forecastPoints } from './points.js';

const PATH = 'v1/air-quality';
/**
 * Open-Meteo explains a refusal as `{"error":true,"reason":"…"}`, also with status 200; its 429s
 * have no Retry-After. The title is the plugin's, so that its messages and the host's agree.
 */
const REFUSALS: RefusalStyle = { title: 'Open-Meteo Air Quality', reasonOf: flaggedErrorReason, limitMessage: "Open-Meteo's free request limit is used up" };

/** One Open-Meteo air-quality source: the current hour and the hourly forecast, one request a run. */
export class AirQualitySource implements DataSource<AirQualityOptions> {
  async fetch(ctx: RunContext<AirQualityOptions>): Promise<FetchResult> {
    const o = ctx.options;
    const names = INDEX_VARIABLES[o.index].map((v) => v.api);
    // Local times make the answer readable to the user; they are converted back exactly.
    const searchParams: Record<string, string | number> = { latitude: o.latitude, longitude: o.longitude, current: names.join(','), timezone: 'auto' };
    if (o.forecast_hours > 0) Object.assign(searchParams, { hourly: names.join(','), forecast_days: forecastDays(o.forecast_hours) });
    const body = await getExplainedJson(ctx.http, PATH, searchParams, REFUSALS);
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
