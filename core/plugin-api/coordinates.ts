/** A place on the map, as plugins that report on one take it in their options. */
import { Type, type TNumber } from '@sinclair/typebox';

/** Latitude and longitude in degrees (WGS 84). */
export type Coordinates = {
  latitude: number;
  longitude: number;
};

/**
 * The JSON Schema of the `latitude` (-90 to 90) and `longitude` (-180 to 180) options, in
 * degrees, to spread into a plugin's `options.properties`; list them in `required` when the place
 * is mandatory. `descriptions` replaces the default text of either (e.g. to say how it combines
 * with another option); a value out of range is refused at config load
 * (`options.latitude: must be between -90 and 90`).
 */
export function coordinateOptions(descriptions: { latitude?: string; longitude?: string } = {}): Record<keyof Coordinates, TNumber> {
  return {
    latitude: Type.Number({ minimum: -90, maximum: 90, description: descriptions.latitude ?? 'Latitude of the place, in degrees.' }),
    longitude: Type.Number({ minimum: -180, maximum: 180, description: descriptions.longitude ?? 'Longitude of the place, in degrees.' }),
  };
}
