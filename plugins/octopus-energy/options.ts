import { StringEnum, Type, type Static } from '../../core/plugin-api/index.js';

/** The grid supply point regions, whose letter ends a tariff code. */
const REGIONS = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'J', 'K', 'L', 'M', 'N', 'P'] as const;

/** JSON Schema of the options (the host adds base_url, timeout, retries …). */
export const OCTOPUS_OPTIONS_SCHEMA = Type.Object(
  {
    product_code: Type.String({
      pattern: '^[A-Z0-9][A-Z0-9-]*$',
      default: 'AGILE-24-10-01',
      description: 'Octopus product code of the Agile tariff (see GET /v1/products/), e.g. AGILE-24-10-01.',
    }),
    region: StringEnum(REGIONS, {
      default: 'C',
      description: 'Grid supply point region letter at the end of the tariff code (C is London; see the README).',
    }),
    payment_method: StringEnum(['DIRECT_DEBIT', 'NON_DIRECT_DEBIT'], {
      default: 'DIRECT_DEBIT',
      description: 'Where a tariff has rates per payment method, the one to read.',
    }),
  },
  { additionalProperties: false },
);

/** The options of an `octopus-energy` source, after validation (defaults applied). */
export type OctopusOptions = Static<typeof OCTOPUS_OPTIONS_SCHEMA>;
