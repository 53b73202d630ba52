import { coordinateOptions, Type, type Static } from '../../core/plugin-api/index.js';

export const OPENWEATHERMAP_OPTIONS_SCHEMA = Type.Object(
  {
    ...coordinateOptions(),
    one_call: Type.Boolean({
      default: false,
      description: 'Use One Call 3.0 (current weather and a 48-hour hourly forecast); needs the separate "One Call by Call" subscription. false reads /data/2.5/weather, which every key may use.',
    }),
    forecast_hours: Type.Integer({
      minimum: 0,
      maximum: 48,
      default: 48,
      description: 'With one_call: hours of hourly forecast to write as weather_forecast, from the next hour on; 0 writes none.',
    }),
  },
  { additionalProperties: false },
);

/** The options of an `openweathermap` source, after validation (defaults applied). */
export type OpenWeatherMapOptions = Static<typeof OPENWEATHERMAP_OPTIONS_SCHEMA>;
