import { StringEnum, Type, type Static } from '../../core/plugin-api/index.js';

/** JSON Schema of the options (the host adds base_url, timeout, retries …). */
export const ENTSOE_OPTIONS_SCHEMA = Type.Object(
  {
    zone: Type.String({
      pattern: '^[0-9A-Z][0-9A-Z-]{14}[0-9A-Z]$',
      description: 'EIC code of the bidding zone, e.g. 10Y1001A1001A82H (DE-LU), 10YNL----------L (NL), 10YBE----------2 (BE).',
    }),
    tomorrow_expected_by: Type.String({
      pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
      default: '14:00',
      description: "Time (CET/CEST) after which missing prices for tomorrow are reported as an item error; before it, ENTSO-E's 'no matching data' is expected.",
    }),
    resolution: StringEnum(['PT15M', 'PT60M'], {
      default: 'PT15M',
      description: 'Which resolution to keep when ENTSO-E publishes a day both quarter-hourly and hourly.',
    }),
  },
  { additionalProperties: false },
);

/** The options of an `entsoe` source, after validation (defaults applied). */
export type EntsoeOptions = Static<typeof ENTSOE_OPTIONS_SCHEMA>;
