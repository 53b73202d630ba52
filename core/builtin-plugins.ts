import airnow from '../plugins/airnow/index.js';
import awattar from '../plugins/awattar/index.js';
import electricityMaps from '../plugins/electricity-maps/index.js';
import entsoe from '../plugins/entsoe/index.js';
import googleCalendar from '../plugins/google-calendar/index.js';
import httpJson from '../plugins/http-json/index.js';
import ics from '../plugins/ics/index.js';
import octopusEnergy from '../plugins/octopus-energy/index.js';
import openMeteoAirQuality from '../plugins/open-meteo-air-quality/index.js';
import openMeteo from '../plugins/open-meteo/index.js';
import openweathermap from '../plugins/openweathermap/index.js';
import tibber from '../plugins/tibber/index.js';
import ukCarbonIntensity from '../plugins/uk-carbon-intensity/index.js';
import watttime from '../plugins/watttime/index.js';
import type { PluginDeclaration } from './plugin-api/index.js';

/**
 * The built-in plugins, by id. An explicit list (type-checked), so that what ships is visible in one
 * place; drop-in plugins are loaded by path or package name instead.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const BUILTIN_PLUGINS: readonly PluginDeclaration<any>[] = [
  watttime,
  ukCarbonIntensity,
  electricityMaps,
  airnow,
  openMeteo,
  openMeteoAirQuality,
  openweathermap,
  tibber,
  octopusEnergy,
  entsoe,
  awattar,
  googleCalendar,
  ics,
  httpJson,
];
