import { definePlugin, priceEntities } from '../../core/plugin-api/index.js';
import { TIBBER_OPTIONS_SCHEMA } from './options.js';
import { createTibberSource } from './tibber-source.js';

/**
 * Tibber: electricity prices of the account's homes (today, and tomorrow once published) from the
 * GraphQL API, at quarter-hour resolution where Tibber offers it. Needs a personal access token.
 */
export default definePlugin({
  id: 'tibber',
  apiVersion: 1,
  writes: ['electricity_price'],
  title: 'Tibber',
  description: "Electricity prices of your Tibber homes: today's and tomorrow's, quarter-hourly where offered.",
  credentials: {
    style: 'api_key',
    fields: ['access_token'],
    send: { in: 'header', name: 'Authorization', prefix: 'Bearer ' },
    env: { access_token: 'TIBBER_ACCESS_TOKEN' },
  },
  base_url: 'https://api.tibber.com',
  // Prices change once a day; tomorrow's appear about 13:00 CET/CEST (11:00 or 12:00 UTC). Every
  // 15 minutes from 11:00 to 14:45 server time (UTC in the image; Europe/* works as well) writes
  // them within 15 minutes of publication in 16 runs (two requests each) a day, far below Tibber's
  // limits (unpublished; at most one poll per 15 minutes is advised). The run at start covers a
  // host started later in the day.
  default_schedule: '0 */15 11-14 * * *',
  // The newest point is tomorrow's last slot once published; an hour past the end of the known
  // prices means the source has missed a day.
  max_data_age: '1h',
  options: TIBBER_OPTIONS_SCHEMA,
  // One set per home: each home has its own prices (the `area` tag is the home id).
  entities: priceEntities({ inclTax: true, level: true, perArea: true }),
  create: () => createTibberSource(),
});
