import { coordinateOptions, Type, type Static } from '../../core/plugin-api/index.js';

const place = coordinateOptions({ latitude: 'Latitude of the place, in degrees (used instead of zip_code when set).' });

/** JSON Schema of the options: a ZIP code, or latitude and longitude. */
export const AIRNOW_OPTIONS_SCHEMA = Type.Object(
  {
    zip_code: Type.Optional(
      Type.String({
        pattern: '^[0-9]{5}$',
        description: 'US ZIP code to report on (quote it in YAML: "02134"). Set this, or latitude and longitude.',
      }),
    ),
    latitude: Type.Optional(place.latitude),
    longitude: Type.Optional(place.longitude),
    observations: Type.Boolean({ default: true, description: 'Read the current observations (measurement air_quality).' }),
    forecast: Type.Boolean({ default: true, description: 'Read the daily forecasts (measurement air_quality_forecast).' }),
  },
  {
    // Without a ZIP code the place is given by latitude and longitude, both of them.
    if: { not: { required: ['zip_code'] } },
    then: { required: ['latitude', 'longitude'] },
    dependencies: { latitude: ['longitude'], longitude: ['latitude'] },
    additionalProperties: false,
  },
);

/** The options of an `airnow` source, after validation (defaults applied). */
export type AirNowOptions = Static<typeof AIRNOW_OPTIONS_SCHEMA>;

/** Whether the place is given by coordinates (they win over a ZIP code when both are set). */
function byCoordinates(o: AirNowOptions): o is AirNowOptions & { latitude: number; longitude: number } {
  return typeof o.latitude === 'number' && typeof o.longitude === 'number';
}

/** The query parameters that name the place (the key and `format` are added elsewhere). */
export function placeParams(o: AirNowOptions): Record<string, string> {
  if (byCoordinates(o)) return { latitude: String(o.latitude), longitude: String(o.longitude) };
  return { zipCode: o.zip_code ?? '' };
}

/** The place in a user's words, for messages: `ZIP code 20002`, `latitude 38.92, longitude -77.01`. */
export function describePlace(o: AirNowOptions): string {
  if (byCoordinates(o)) return `latitude ${o.latitude}, longitude ${o.longitude}`;
  return `ZIP code ${o.zip_code ?? '?'}`;
}
