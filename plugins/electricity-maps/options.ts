import { coordinateOptions, StringEnum, Type, type Static } from '../../core/plugin-api/index.js';

const place = coordinateOptions({ latitude: 'Latitude of the place, in degrees; with longitude, Electricity Maps finds its zone (instead of zone).' });

/** JSON Schema of the options (the host adds base_url, timeout, retries …). */
export const ELECTRICITY_MAPS_OPTIONS_SCHEMA = Type.Object(
  {
    zone: Type.Optional(
      Type.String({ pattern: '^[A-Z]{2}(-[A-Za-z0-9]+)*$', description: 'Electricity Maps zone key, e.g. DE, FR, GB, US-CAL-CISO. Or latitude and longitude instead.' }),
    ),
    latitude: Type.Optional(place.latitude),
    longitude: Type.Optional(place.longitude),
    emission_factor_type: StringEnum(['lifecycle', 'direct'], {
      default: 'lifecycle',
      description: 'lifecycle (the default: construction, fuel supply and combustion) or direct (combustion only).',
    }),
    history: Type.Boolean({ default: true, description: 'Also read the last 24 hours (/v3/carbon-intensity/history).' }),
    forecast: Type.Boolean({ default: true, description: "Also read the forecast (/v3/carbon-intensity/forecast), where the token's plan allows it (paid plans)." }),
  },
  { dependencies: { latitude: ['longitude'], longitude: ['latitude'] }, additionalProperties: false },
);

/** The options of an `electricity-maps` source, after validation (defaults applied). */
export type ElectricityMapsOptions = Static<typeof ELECTRICITY_MAPS_OPTIONS_SCHEMA>;

/** The query naming the place: the zone, or the coordinates; never the caller's IP (the host's, not the home's). */
export function placeQuery(o: ElectricityMapsOptions): Record<string, string | number> {
  if (typeof o.latitude === 'number' && typeof o.longitude === 'number') return { lat: o.latitude, lon: o.longitude, shouldUseFallbackCallerLookup: 'false' };
  return { zone: o.zone ?? '' };
}
