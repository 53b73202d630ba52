/** An Open-Meteo variable and the CONTRACT §4 field it becomes. */
export interface Variable {
  /** Open-Meteo's name, as in `current=` and `hourly=`. */
  api: string;
  field: string;
  /** The unit Open-Meteo echoes in `*_units` for the units this plugin asks for. */
  unit: string;
  /** Written as an integer field. */
  int?: boolean;
}

/** What is asked for, in metric units (°C, km/h, mm are asked for explicitly). */
export const WEATHER_VARIABLES: readonly Variable[] = [
  { api: 'temperature_2m', field: 'temperature_c', unit: '°C' },
  { api: 'relative_humidity_2m', field: 'relative_humidity_pct', unit: '%' },
  { api: 'wind_speed_10m', field: 'wind_speed_kmh', unit: 'km/h' },
  { api: 'wind_direction_10m', field: 'wind_direction_deg', unit: '°' },
  { api: 'precipitation', field: 'precipitation_mm', unit: 'mm' },
  { api: 'pressure_msl', field: 'pressure_hpa', unit: 'hPa' },
  { api: 'cloud_cover', field: 'cloud_cover_pct', unit: '%' },
  { api: 'weather_code', field: 'weather_code', unit: 'wmo code', int: true },
];
