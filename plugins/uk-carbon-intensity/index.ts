import { carbonIntensityEntity, definePlugin, type EntityDeclaration } from '../../core/plugin-api/index.js';
import { UK_CARBON_OPTIONS_SCHEMA } from './options.js';
import { UkCarbonSource } from './source.js';

/** The forecast's current period (the coming ones as `forecast`), the actual value, NESO's index word and the mix. */
const ENTITIES: EntityDeclaration[] = [
  carbonIntensityEntity('carbon_intensity', 'Carbon intensity', 'forecast'),
  carbonIntensityEntity('carbon_intensity_actual', 'Carbon intensity (actual)', 'historical'),
  { key: 'carbon_index', name: 'Carbon intensity index', measurement: 'carbon_intensity', field: 'index', tags: { series: 'forecast' }, icon: 'mdi:leaf' },
  { key: 'generation', name: 'Generation', measurement: 'generation_mix', field: 'percent', per_tag: 'fuel', unit: '%', state_class: 'measurement', icon: 'mdi:transmission-tower', suggested_display_precision: 0 },
];

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
  writes: ['carbon_intensity', 'generation_mix'],
  entities: ENTITIES,
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
