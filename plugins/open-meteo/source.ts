import { UpstreamError, type DataSource, type FetchResult, type RunContext } from '../../core/plugin-api/index.js';
import { openMeteoError, reasonOf } from './api-error.js';
import { readForecastResponse } from './forecast-response.js';
import { forecastDays, type OpenMeteoOptions } from './options.js';
import { currentPoint, forecastPoints } from './points.js';
import { WEATHER_VARIABLES } from './variables.js';

/** As the plugin's title, so that its messages and the host's name the API alike. */
const TITLE = 'Open-Meteo';
const PATH = 'v1/forecast';

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
    let body: unknown;
    try {
      body = await ctx.http.get(PATH, { searchParams }).json<unknown>();
    } catch (err) {
      throw openMeteoError(err, TITLE, PATH) ?? err;
    }
    const refused = reasonOf(body);
    if (refused !== undefined) throw new UpstreamError(`${TITLE} answered an error for GET /${PATH}: ${refused}`, { retryable: false });
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
