import type { AqiIndex } from './options.js';

/** An Open-Meteo index variable and the CONTRACT §4 `parameter` tag it becomes. */
export interface IndexVariable {
  api: string;
  parameter: string;
}

/** Per index: the overall index and the sub-index of each pollutant (the European index has no CO). */
export const INDEX_VARIABLES: Readonly<Record<AqiIndex, readonly IndexVariable[]>> = {
  us: [
    { api: 'us_aqi', parameter: 'overall' },
    { api: 'us_aqi_ozone', parameter: 'o3' },
    { api: 'us_aqi_pm2_5', parameter: 'pm25' },
    { api: 'us_aqi_pm10', parameter: 'pm10' },
    { api: 'us_aqi_nitrogen_dioxide', parameter: 'no2' },
    { api: 'us_aqi_carbon_monoxide', parameter: 'co' },
    { api: 'us_aqi_sulphur_dioxide', parameter: 'so2' },
  ],
  european: [
    { api: 'european_aqi', parameter: 'overall' },
    { api: 'european_aqi_ozone', parameter: 'o3' },
    { api: 'european_aqi_pm2_5', parameter: 'pm25' },
    { api: 'european_aqi_pm10', parameter: 'pm10' },
    { api: 'european_aqi_nitrogen_dioxide', parameter: 'no2' },
    { api: 'european_aqi_sulphur_dioxide', parameter: 'so2' },
  ],
};

/**
 * The bands of each index, by their published upper bounds: US EPA (the categories AirNow numbers
 * 1–6) and the EEA's European AQI as Open-Meteo documents it (0–20 good … above 100 extremely poor).
 * Open-Meteo gives only the number; the category follows from it by definition.
 */
const BANDS: Readonly<Record<AqiIndex, readonly [number, string][]>> = {
  us: [
    [50, 'Good'],
    [100, 'Moderate'],
    [150, 'Unhealthy for Sensitive Groups'],
    [200, 'Unhealthy'],
    [300, 'Very Unhealthy'],
    [Infinity, 'Hazardous'],
  ],
  european: [
    [20, 'Good'],
    [40, 'Fair'],
    [60, 'Moderate'],
    [80, 'Poor'],
    [100, 'Very Poor'],
    [Infinity, 'Extremely Poor'],
  ],
};

/** The category (1–6) and its name of an index value. */
export function categoryOf(index: AqiIndex, aqi: number): { number: number; name: string } {
  const bands = BANDS[index];
  const i = bands.findIndex(([upper]) => aqi <= upper);
  return { number: i + 1, name: bands[i]![1] };
}
