import { flaggedErrorReason, getExplainedJson, UpstreamError, type DataSource, type FetchResult, type RefusalStyle, type RunContext } from '../../core/plugin-api/index.js';
import { readForecastResponse } from './forecast-response.js';
import { forecastDays, type OpenMeteoOptions } from './options.js';
import { currentPoint, forecastPoints } from './points.js';
import { WEATHER_VARIABLES } from './variables.js';

const PATH = 'v1/forecast';
/**
 * Open-Meteo explains a refusal as `{"error":true,"reason":"…"}`, also with status 200; its 429s
 * have no Retry-After. The title is the plugin's, so that its messages and the host's agree.
 */
const REFUSALS: RefusalStyle = { title: 'Open-Meteo', reasonOf: flaggedErrorReason, limitMessage: "Open-Meteo's free request limit is used up" };

/** One Open-Meteo weather source: current conditions and the hourly forecast, one request a run. */
export class OpenMeteoSource implements DataSource<OpenMeteoOptions> {
  async fetch(ctx: RunContext<OpenMeteoOptions>): Promise<FetchResult> {
    const o = ctx.options;
    const names = WEATHER_VARIABLES.map((v) => v.api).join(',');
    const searchParams: Record<string, string | number> = {
      latitude: o.latitude,
      longitude: o.longitude,
      current: names,
      // Local times make the answer readable to the user; they are converted back exactly.
      timezone: 'auto',
      temperature_unit: 'celsius',
      wind_speed_unit: 'kmh',
      precipitation_unit: 'mm',
      timeformat: 'iso8601',
    };
    if (o.forecast_hours > 0) Object.assign(searchParams, { hourly: names, forecast_days: forecastDays(o.forecast_hours) });
    const body = await getExplainedJson(ctx.http, PATH, searchParams, REFUSALS);
    const answer = readForecastResponse(body, WEATHER_VARIABLES);
    const after = answer.current?.time ?? new Date();
    const points = [...currentPoint(answer.current, WEATHER_VARIABLES), ...forecastPoints(answer.hourly, after, o.forecast_hours, WEATHER_VARIABLES)];
    if (points.length === 0) {
      throw new UpstreamError(`Open-Meteo has no weather values for latitude ${o.latitude}, longitude ${o.longitude}`, { retryable: false });
    }
    const details = {
      timezone: answer.timezone ?? null,
      utc_offset_seconds: answer.utcOffsetSeconds,
      grid: { latitude: answer.latitude ?? null, longitude: answer.longitude ?? null, elevation: answer.elevation ?? null },
    };
    return { points, details };
  }
}
