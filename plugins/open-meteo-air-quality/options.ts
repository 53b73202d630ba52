import { coordinateOptions, type Coordinates, type JsonSchema } from '../../core/plugin-api/index.js';

export type AqiIndex = 'us' | 'european';

/** The options of an `open-meteo-air-quality` source, after validation (defaults applied). */
export type AirQualityOptions = Coordinates & {
  index: AqiIndex;
  forecast_hours: number;
};

/** The air-quality API forecasts 7 days; a day is kept in reserve as the series starts at local midnight. */
export const MAX_FORECAST_HOURS = 144;

export const AIR_QUALITY_OPTIONS_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    ...coordinateOptions(),
    index: {
      type: 'string',
      enum: ['us', 'european'],
      default: 'us',
      description: 'Which index `aqi` holds: us (US EPA AQI, 0–500, categories 1–6 as AirNow) or european (EEA European AQI, 0–100+).',
    },
    forecast_hours: {
      type: 'integer',
      minimum: 0,
      maximum: MAX_FORECAST_HOURS,
      default: 48,
      description: 'Hours of hourly forecast to write as air_quality_forecast, from the next hour on; 0 writes none.',
    },
  },
  required: ['latitude', 'longitude'],
  additionalProperties: false,
};

/** Days to ask for so that `hours` after now are covered (the series starts at local midnight today). */
export function forecastDays(hours: number): number {
  return Math.min(7, Math.ceil(hours / 24) + 1);
}
