import { ConfigError, coordinateOptions, StringEnum, Type, type Static } from '../../core/plugin-api/index.js';
import type { Series } from './mapping.js';

/** The signal types of WattTime API v3 (`V3Signals`). */
export const SIGNAL_TYPES = ['co2_moer', 'co2_aoer', 'health_damage'] as const;
export type SignalType = (typeof SIGNAL_TYPES)[number];

/** Every series the plugin can read, in the order a run reads them. */
export const ALL_SERIES: readonly Series[] = ['forecast', 'index', 'historical'];

/** The free plan's region: every account may read it. */
export const FREE_REGION = 'CAISO_NORTH';

const REGION = '[A-Za-z0-9_-]+';

const place = coordinateOptions({
  latitude: 'Latitude of the place, in degrees; with longitude, resolved to its WattTime region at start (instead of region).',
});

/** JSON Schema of the options: the region(s), or a location resolved to one. */
export const WATTTIME_OPTIONS_SCHEMA = Type.Object(
  {
    region: Type.Union(
      [
        Type.String({ pattern: `^\\s*${REGION}(\\s*,\\s*${REGION})*\\s*$` }),
        Type.Array(Type.String({ pattern: `^${REGION}$` }), { minItems: 1, uniqueItems: true }),
      ],
      {
        description:
          'WattTime region code, e.g. CAISO_NORTH (the free plan\'s region), PJM_DC, PSCO; several as a YAML list or a comma-separated string ("CAISO_NORTH,PSCO", handy in ${GRID_REGION}). Ignored when latitude and longitude are set.',
        default: FREE_REGION,
      },
    ),
    latitude: Type.Optional(place.latitude),
    longitude: Type.Optional(place.longitude),
    signal_type: StringEnum(SIGNAL_TYPES, {
      default: 'co2_moer',
      description: 'co2_moer (marginal emissions, the default), co2_aoer (average emissions) or health_damage.',
    }),
    horizon_hours: Type.Integer({
      minimum: 0,
      maximum: 72,
      default: 24,
      description: 'Forecast horizon in hours, 0 to 72 (24 = 288 five-minute points; 0 = the current value only).',
    }),
    series: Type.Array(StringEnum(ALL_SERIES), {
      minItems: 1,
      uniqueItems: true,
      default: [...ALL_SERIES],
      description: 'What to read: forecast (/v3/forecast), index (/v3/signal-index, the 0-100 percentile of co2_moer), historical (/v3/historical).',
    }),
    backfill: Type.Integer({
      minimum: 0,
      maximum: 8784,
      default: 24,
      description: 'Hours of historical data to read at start (and any gap since the last success), in requests of at most 7 days.',
    }),
  },
  { dependencies: { latitude: ['longitude'], longitude: ['latitude'] }, additionalProperties: false },
);

/** The options of a `watttime` source, after validation (defaults applied). */
export type WattTimeOptions = Static<typeof WATTTIME_OPTIONS_SCHEMA>;

/** The configured region codes: a list, or a comma-separated string, without repeats. */
export function configuredRegions(region: string | string[] | undefined): string[] {
  const list = (Array.isArray(region) ? region : String(region ?? FREE_REGION).split(',')).map((r) => r.trim()).filter(Boolean);
  if (list.length === 0) throw new ConfigError('region is empty: name a WattTime region such as CAISO_NORTH');
  return [...new Set(list)];
}

/** The location to resolve, when latitude and longitude are both set. */
export function configuredLocation(o: Pick<WattTimeOptions, 'latitude' | 'longitude'>): { latitude: number; longitude: number } | undefined {
  return typeof o.latitude === 'number' && typeof o.longitude === 'number' ? { latitude: o.latitude, longitude: o.longitude } : undefined;
}
