import { ConfigError, Type, type Static } from '../../core/plugin-api/index.js';

/** An outward postcode (`RG41`), optionally followed by the inward part (`RG41 5AB`), which is dropped. */
const POSTCODE = '^\\s*[A-Za-z]{1,2}[0-9][A-Za-z0-9]?(\\s*[0-9][A-Za-z]{2})?\\s*$';

/** JSON Schema of the options (the host adds base_url, timeout, retries …). */
export const UK_CARBON_OPTIONS_SCHEMA = Type.Object(
  {
    region_id: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 17,
        description:
          'NESO region id instead of Great Britain as a whole: 1-14 the distribution regions (e.g. 13 London), 15 England, 16 Scotland, 17 Wales. Not with postcode.',
      }),
    ),
    postcode: Type.Optional(
      Type.String({
        pattern: POSTCODE,
        description: 'Outward postcode (e.g. RG41) whose region to read; a full postcode is cut to its outward part before it is sent. Not with region_id.',
      }),
    ),
    forecast_hours: Type.Union([Type.Literal(24), Type.Literal(48)], {
      default: 48,
      description: 'Forecast horizon: 24 or 48 hours of half-hour periods (/fw24h or /fw48h).',
    }),
    generation_mix: Type.Boolean({
      default: true,
      description: 'Also write the generation mix (percent per fuel) as the generation_mix measurement.',
    }),
  },
  { additionalProperties: false },
);

/** The options of a `uk-carbon-intensity` source, after validation (defaults applied). */
export type UkCarbonOptions = Static<typeof UK_CARBON_OPTIONS_SCHEMA>;

/** Which area a source reads: Great Britain, a region by id, or the region of an outward postcode. */
export type Area = { kind: 'national' } | { kind: 'regionid'; id: number } | { kind: 'postcode'; outward: string };

/**
 * The area the options name.
 * @throws ConfigError when both region_id and postcode are set.
 */
export function configuredArea(o: Pick<UkCarbonOptions, 'region_id' | 'postcode'>): Area {
  if (o.region_id !== undefined && o.postcode !== undefined) {
    throw new ConfigError('options.region_id and options.postcode are alternatives: set one of them (or neither, for Great Britain)');
  }
  if (o.region_id !== undefined) return { kind: 'regionid', id: o.region_id };
  if (o.postcode === undefined) return { kind: 'national' };
  const compact = o.postcode.replace(/\s+/g, '').toUpperCase();
  // The inward part is always a digit and two letters; only the outward part is sent.
  const outward = /^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$/.test(compact) ? compact.slice(0, -3) : compact;
  return { kind: 'postcode', outward };
}
