import { definePlugin } from '../../core/plugin-api/index.js';
import { createEntsoeSource, type EntsoeOptions } from './entsoe-source.js';

/**
 * ENTSO-E Transparency Platform: day-ahead prices (document A44) of one European bidding zone,
 * today's and tomorrow's once published, in 15- or 60-minute slots. Needs a security token.
 */
export default definePlugin<EntsoeOptions>({
  id: 'entsoe',
  apiVersion: 1,
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
  options: {
    type: 'object',
    properties: {
      zone: {
        type: 'string',
        pattern: '^[0-9A-Z][0-9A-Z-]{14}[0-9A-Z]$',
        description: 'EIC code of the bidding zone, e.g. 10Y1001A1001A82H (DE-LU), 10YNL----------L (NL), 10YBE----------2 (BE).',
      },
      tomorrow_expected_by: {
        type: 'string',
        pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
        default: '14:00',
        description: "Time (CET/CEST) after which missing prices for tomorrow are reported as an item error; before it, ENTSO-E's 'no matching data' is expected.",
      },
      resolution: {
        type: 'string',
        enum: ['PT15M', 'PT60M'],
        default: 'PT15M',
        description: 'Which resolution to keep when ENTSO-E publishes a day both quarter-hourly and hourly.',
      },
    },
    required: ['zone'],
    additionalProperties: false,
  },
  create: () => createEntsoeSource(),
});
