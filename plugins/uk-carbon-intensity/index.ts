import { definePlugin } from '../../core/plugin-api/index.js';
import { UK_CARBON_OPTIONS_SCHEMA } from './options.js';
import { UkCarbonSource } from './source.js';

/**
 * NESO's Carbon Intensity API (Great Britain, no key): the carbon intensity of the next 24 or 48
 * hours in half-hour periods, the current period's actual value, NESO's index and the generation
 * mix, nationally or for a region by id or outward postcode.
 */
export default definePlugin({
  id: 'uk-carbon-intensity',
  apiVersion: 1,
  title: 'NESO Carbon Intensity',
  description: 'Carbon intensity of the GB grid from NESO (no key): the 48-hour forecast, the actual value, the index and the generation mix, national or regional.',
  options: UK_CARBON_OPTIONS_SCHEMA,
  base_url: 'https://api.carbonintensity.org.uk',
  // NESO publishes half-hour periods and forecasts again every half hour; a poll shortly after
  // each period starts (2 or 3 requests) gets the new actual value and forecast.
  default_schedule: '2,32 * * * *',
  // The newest past point is the current period's start, at most 30 minutes old after a good run:
  // an hour means two periods went by without one.
  max_data_age: '1h',
  create: ({ options }) => new UkCarbonSource(options),
});
