import { definePlugin, priceEntities } from '../../core/plugin-api/index.js';
import { ENTSOE_OPTIONS_SCHEMA } from './options.js';
import { createEntsoeSource } from './entsoe-source.js';

/**
 * ENTSO-E Transparency Platform: day-ahead prices (document A44) of one European bidding zone,
 * today's and tomorrow's once published, in 15- or 60-minute slots. Needs a security token.
 */
export default definePlugin({
  id: 'entsoe',
  apiVersion: 1,
  writes: ['electricity_price'],
  title: 'ENTSO-E',
  description: 'Day-ahead electricity prices of a European bidding zone from the ENTSO-E Transparency Platform.',
  credentials: {
    style: 'api_key',
    fields: ['security_token'],
    send: { in: 'query', name: 'securityToken' },
    env: { security_token: 'ENTSOE_SECURITY_TOKEN' },
  },
  base_url: 'https://web-api.tp.entsoe.eu',
  // Tomorrow's prices come once a day after the SDAC auction, about 12:45-13:00 CET/CEST (10:45
  // or 11:45 UTC). Every 15 minutes from 11:00 to 14:45 server time (UTC in the image) writes them
  // soon after: 16 runs of two requests a day, against a limit of 400 a minute. The run at start
  // covers a host started later in the day.
  default_schedule: '0 */15 11-14 * * *',
  // The newest point is tomorrow's last slot once published; an hour past the end of the known
  // prices means the source has missed a day.
  max_data_age: '1h',
  options: ENTSOE_OPTIONS_SCHEMA,
  entities: priceEntities(),
  create: () => createEntsoeSource(),
});
