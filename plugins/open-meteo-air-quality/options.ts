import { coordinateOptions, StringEnum, Type, type Static } from '../../core/plugin-api/index.js';

const AQI_INDEXES = ['us', 'european'] as const;
export type AqiIndex = (typeof AQI_INDEXES)[number];

/** The air-quality API forecasts 7 days; a day is kept in reserve as the series starts at local midnight. */
export const MAX_FORECAST_HOURS = 144;

export const AIR_QUALITY_OPTIONS_SCHEMA = Type.Object(
  {
    ...coordinateOptions(),
    index: StringEnum(AQI_INDEXES, {
      default: 'us',
      description: 'Which index `aqi` holds: us (US EPA AQI, 0–500, categories 1–6 as AirNow) or european (EEA European AQI, 0–100+).',
    }),
    forecast_hours: Type.Integer({
      minimum: 0,
      maximum: MAX_FORECAST_HOURS,
      default: 48,
      description: 'Hours of hourly forecast to write as air_quality_forecast, from the next hour on; 0 writes none.',
    }),
  },
  { additionalProperties: false },
);

/** The options of an `open-meteo-air-quality` source, after validation (defaults applied). */
export type AirQualityOptions = Static<typeof AIR_QUALITY_OPTIONS_SCHEMA>;

/** Days to ask for so that `hours` after now are covered (the series starts at local midnight today). */
export function forecastDays(hours: number): number {
  return Math.min(7, Math.ceil(hours / 24) + 1);
}
