import { definePlugin, weatherEntities } from '../../core/plugin-api/index.js';
import { OPEN_METEO_OPTIONS_SCHEMA } from './options.js';
import { OpenMeteoSource } from './source.js';

/** Open-Meteo weather (no key): current conditions and the hourly forecast of one place. */
export default definePlugin({
  id: 'open-meteo',
  apiVersion: 1,
  title: 'Open-Meteo',
  description: 'Open-Meteo weather, no key needed: current conditions and the hourly forecast of one place.',
  options: OPEN_METEO_OPTIONS_SCHEMA,
  base_url: 'https://api.open-meteo.com',
  // Current values are 15-minute model values; one request every 15 min is 96 a day, far inside the
  // free per-IP limits (600/min, 5,000/h, 10,000/day) even beside the air-quality plugin.
  default_schedule: '15m',
  // `current.time` advances every 15 minutes; an hour without a newer one means the upstream stalled.
  max_data_age: '1h',
  entities: weatherEntities(),
  create: () => new OpenMeteoSource(),
});
