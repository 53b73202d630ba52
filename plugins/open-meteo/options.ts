import { coordinateOptions, Type, type Static } from '../../core/plugin-api/index.js';

/** Open-Meteo forecasts 16 days; a day is kept in reserve because the hourly series starts at local midnight. */
export const MAX_FORECAST_HOURS = 360;

export const OPEN_METEO_OPTIONS_SCHEMA = Type.Object(
  {
    ...coordinateOptions(),
    forecast_hours: Type.Integer({
      minimum: 0,
      maximum: MAX_FORECAST_HOURS,
      default: 48,
      description: 'Hours of hourly forecast to write as weather_forecast, from the next hour on; 0 writes none.',
    }),
  },
  { additionalProperties: false },
);

/** The options of an `open-meteo` source, after validation (defaults applied). */
export type OpenMeteoOptions = Static<typeof OPEN_METEO_OPTIONS_SCHEMA>;

/** Days to ask for so that `hours` after now are covered (the series starts at local midnight today). */
export function forecastDays(hours: number): number {
  return Math.min(16, Math.ceil(hours / 24) + 1);
}
