import { definePlugin, priceEntities } from '../../core/plugin-api/index.js';
import { AWATTAR_OPTIONS_SCHEMA } from './options.js';
import { createAwattarSource, GERMAN_API } from './awattar-source.js';

/**
 * aWATTar: EPEX day-ahead market prices for Germany or Austria, today's and tomorrow's once
 * published, converted from EUR/MWh to EUR/kWh. No key; a fair-use limit of about 100 requests a day.
 */
export default definePlugin({
  id: 'awattar',
  apiVersion: 1,
  writes: ['electricity_price'],
  title: 'aWATTar',
  description: "Day-ahead market prices for Germany or Austria from aWATTar: today's and tomorrow's.",
  base_url: GERMAN_API,
  // Tomorrow's prices appear about 14:00 CET/CEST (12:00 or 13:00 UTC). Every 15 minutes from 12:00
  // to 14:45 server time (UTC in the image) writes them soon after in 12 requests a day, plus one
  // at each start: far inside the fair-use limit of about 100 a day, which max_requests_per_day
  // enforces whatever schedule is set.
  default_schedule: '0 */15 12-14 * * *',
  // The newest point is tomorrow's last slot once published; an hour past the end of the known
  // prices means the source has missed a day.
  max_data_age: '1h',
  options: AWATTAR_OPTIONS_SCHEMA,
  entities: priceEntities(),
  create: ({ options }) => createAwattarSource(options),
});
