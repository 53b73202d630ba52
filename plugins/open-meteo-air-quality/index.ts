import { definePlugin, airQualityEntities } from '../../core/plugin-api/index.js';
import { AIR_QUALITY_OPTIONS_SCHEMA } from './options.js';
import { AirQualitySource } from './source.js';

/** Open-Meteo air quality (no key): US or European AQI per pollutant, current and hourly forecast. */
export default definePlugin({
  id: 'open-meteo-air-quality',
  apiVersion: 1,
  title: 'Open-Meteo Air Quality',
  description: 'Open-Meteo air quality, no key needed: US or European AQI of each pollutant, now and as an hourly forecast.',
  options: AIR_QUALITY_OPTIONS_SCHEMA,
  base_url: 'https://air-quality-api.open-meteo.com',
  // Air-quality values are hourly; every 30 min sees a new hour within half an hour, 48 requests a
  // day, far inside the free per-IP limits (600/min, 5,000/h, 10,000/day) even beside the weather.
  default_schedule: '30m',
  // `current.time` advances every hour; two hours without a newer one means the upstream stalled.
  max_data_age: '2h',
  entities: airQualityEntities(['o3', 'pm25', 'pm10', 'no2', 'co', 'so2']),
  create: () => new AirQualitySource(),
});
