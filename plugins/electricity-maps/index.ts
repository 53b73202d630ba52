import { carbonIntensityEntity, ConfigError, definePlugin } from '../../core/plugin-api/index.js';
import { ELECTRICITY_MAPS_OPTIONS_SCHEMA } from './options.js';
import { ElectricityMapsSource } from './source.js';

/**
 * Electricity Maps API v3: the carbon intensity of a zone (by key or by coordinates), its latest
 * value and last 24 hours (free tier, one zone) and the forecast where the plan allows it.
 */
export default definePlugin({
  id: 'electricity-maps',
  apiVersion: 1,
  title: 'Electricity Maps',
  description: 'Grid carbon intensity of one zone from Electricity Maps: the latest value, the last 24 hours and, on paid plans, the forecast.',
  credentials: { style: 'api_key', send: { in: 'header', name: 'auth-token' }, env: { api_key: 'ELECTRICITYMAPS_API_KEY' } },
  writes: ['carbon_intensity'],
  // The latest value; the forecast (paid plans) as an entity of its own with the coming hours.
  entities: [carbonIntensityEntity('carbon_intensity', 'Carbon intensity', 'historical'), carbonIntensityEntity('carbon_intensity_forecast', 'Carbon intensity (forecast)', 'forecast')],
  options: ELECTRICITY_MAPS_OPTIONS_SCHEMA,
  base_url: 'https://api.electricitymap.org',
  // Hourly values: a run a little after each hour (3 requests) sees the new one.
  default_schedule: '5 * * * *',
  // The latest value is the current hour's; three hours without a newer one means missed runs.
  max_data_age: '3h',
  create: ({ options }) => {
    if (options.zone === undefined && options.latitude === undefined) throw new ConfigError('options.zone or options.latitude and longitude: name the zone to read (e.g. zone: DE)');
    return new ElectricityMapsSource(options);
  },
});
