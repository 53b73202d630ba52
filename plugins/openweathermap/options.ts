import { coordinateOptions, type Coordinates, type JsonSchema } from '../../core/plugin-api/index.js';

/** The options of an `openweathermap` source, after validation (defaults applied). */
export type OpenWeatherMapOptions = Coordinates & {
  one_call: boolean;
  forecast_hours: number;
};

export const OPENWEATHERMAP_OPTIONS_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    ...coordinateOptions(),
    one_call: {
      type: 'boolean',
      default: false,
      description: 'Use One Call 3.0 (current weather and a 48-hour hourly forecast); needs the separate "One Call by Call" subscription. false reads /data/2.5/weather, which every key may use.',
    },
    forecast_hours: {
      type: 'integer',
      minimum: 0,
      maximum: 48,
      default: 48,
      description: 'With one_call: hours of hourly forecast to write as weather_forecast, from the next hour on; 0 writes none.',
    },
  },
  required: ['latitude', 'longitude'],
  additionalProperties: false,
};
