import { definePlugin, airQualityEntities } from '../../core/plugin-api/index.js';
import { AIRNOW_OPTIONS_SCHEMA } from './options.js';
import { AirNowSource } from './source.js';

/** AirNow (US EPA): current air-quality observations and daily forecasts by ZIP code or coordinates. */
export default definePlugin({
  id: 'airnow',
  apiVersion: 1,
  title: 'AirNow',
  description: 'US EPA AirNow: current air-quality observations (NowCast AQI) and daily AQI forecasts by ZIP code or latitude/longitude.',
  credentials: { style: 'api_key', send: { in: 'query', name: 'API_KEY' }, env: { api_key: 'AIRNOW_API_KEY' } },
  options: AIRNOW_OPTIONS_SCHEMA,
  base_url: 'https://www.airnowapi.org',
  // Observations are hourly and appear 10–30 min past the hour; at :20 and :50 a new hour is seen
  // within half an hour. Two requests a run, four an hour: far under AirNow's 500 an hour per key.
  default_schedule: '20,50 * * * *',
  // An hour's observation may arrive up to ~90 min after the hour starts; twice that is stale.
  max_data_age: '3h',
  // AirNow reports ozone and particles (NO2, CO and SO2 only at a few stations); its forecasts often
  // give a category without an AQI.
  entities: airQualityEntities(['o3', 'pm25', 'pm10'], 'category'),
  create: ({ options }) => new AirNowSource(options),
});
