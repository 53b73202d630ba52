import { definePlugin, priceEntities } from '../../core/plugin-api/index.js';
import { OCTOPUS_OPTIONS_SCHEMA } from './options.js';
import { createOctopusSource } from './octopus-source.js';

/**
 * Octopus Energy (UK): Agile half-hourly unit rates of one product and region, with and without
 * VAT, today's and tomorrow's once published. Tariff data needs no key.
 */
export default definePlugin({
  id: 'octopus-energy',
  apiVersion: 1,
  writes: ['electricity_price'],
  title: 'Octopus Energy',
  description: "Octopus Agile half-hourly unit rates for one region: today's and tomorrow's, with and without VAT.",
  base_url: 'https://api.octopus.energy',
  // Tomorrow's Agile rates appear about 16:00 UK time (15:00 or 16:00 UTC), sometimes later. Every
  // 15 minutes from 15:00 to 18:45 server time (UTC in the image) writes them soon after: 16 runs a
  // day of one request each, gentle on an API with undocumented limits that blocks busy addresses.
  // The run at start covers a host started later in the day.
  default_schedule: '0 */15 15-18 * * *',
  // The newest point is tomorrow's last slot once published; an hour past the end of the known
  // rates means the source has missed a day.
  max_data_age: '1h',
  options: OCTOPUS_OPTIONS_SCHEMA,
  entities: priceEntities({ inclTax: true }),
  create: () => createOctopusSource(),
});
