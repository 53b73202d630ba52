import { definePlugin, weatherEntities } from '../../core/plugin-api/index.js';
import { OPENWEATHERMAP_OPTIONS_SCHEMA } from './options.js';
import { OpenWeatherMapSource } from './source.js';

/** OpenWeatherMap: current weather (every key) or One Call 3.0 with an hourly forecast (subscription). */
export default definePlugin({
  id: 'openweathermap',
  apiVersion: 1,
  title: 'OpenWeatherMap',
  description: 'OpenWeatherMap: current weather in metric units, or One Call 3.0 with a 48-hour hourly forecast.',
  credentials: { style: 'api_key', send: { in: 'query', name: 'appid' }, env: { api_key: 'OPENWEATHERMAP_API_KEY' } },
  options: OPENWEATHERMAP_OPTIONS_SCHEMA,
  base_url: 'https://api.openweathermap.org',
  // OpenWeatherMap's models update every 10 min and it asks for at most one call per 10 min and
  // place: 144 calls a day, inside One Call's 1,000 free calls a day and the free 60 a minute.
  default_schedule: '10m',
  // `dt` is when OpenWeatherMap last computed the weather; it may lag its 10-minute cadence by
  // most of an hour, so two hours without a newer one means it stalled.
  max_data_age: '2h',
  entities: weatherEntities(),
  create: () => new OpenWeatherMapSource(),
});
