import { StringEnum, Type, type Static } from '../../core/plugin-api/index.js';
import { TIBBER_RESOLUTIONS } from './queries.js';

/** JSON Schema of the options (the host adds base_url, timeout, retries …). */
export const TIBBER_OPTIONS_SCHEMA = Type.Object(
  {
    home_id: Type.String({
      default: '',
      description: 'The Tibber home id to read; empty reads every home with a running subscription.',
    }),
    resolution: StringEnum(TIBBER_RESOLUTIONS, {
      default: 'QUARTER_HOURLY',
      description: 'Price resolution to ask for: QUARTER_HOURLY (96 a day, where Tibber offers it) or HOURLY (24 a day).',
    }),
  },
  { additionalProperties: false },
);

/** The options of a `tibber` source, after validation (defaults applied). */
export type TibberOptions = Static<typeof TIBBER_OPTIONS_SCHEMA>;
