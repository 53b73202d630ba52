import { StringEnum, Type, type Static } from '../../core/plugin-api/index.js';

/** JSON Schema of the options (the host adds base_url, timeout, retries …). */
export const AWATTAR_OPTIONS_SCHEMA = Type.Object(
  {
    country: StringEnum(['DE', 'AT'], {
      default: 'DE',
      description: 'Market area: DE (api.awattar.de) or AT (api.awattar.at, used unless base_url is set).',
    }),
    max_requests_per_day: Type.Integer({
      minimum: 1,
      maximum: 100,
      default: 90,
      description: "Most requests this source sends in any 24 hours; aWATTar's fair use allows about 100 an address.",
    }),
  },
  { additionalProperties: false },
);

/** The options of an `awattar` source, after validation (defaults applied), with the host's base_url. */
export type AwattarOptions = Static<typeof AWATTAR_OPTIONS_SCHEMA> & { base_url: string };
