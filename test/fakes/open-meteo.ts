/**
 * Fake Open-Meteo (../shared/apis/weather.md §4.1) on the shared base (http-fake.ts): `/v1/forecast`
 * and `/v1/air-quality`, local times with ONE `utc_offset_seconds` (the one valid at `now()`, no
 * daylight-saving switch inside a series), units, 400 reasons and the free per-IP limits. See
 * test/fakes/README.md.
 */
import { startHttpFake, type FakeReply, type HttpFake } from './http-fake.js';

type Values = Record<string, number | null>;

export interface FakeOpenMeteo extends HttpFake {
  now: () => number;
  /** What `timezone=auto` resolves to. */
  timezone: string;
  limits: { minutely: number; hourly: number; daily: number };
  /** Metric values (°C, km/h, mm, hPa, %) of the weather variables at an instant. */
  weather: (t: Date) => Values;
  airQuality: (t: Date) => Values;
  requestCount(): number;
}

const WEATHER_UNITS: Record<string, string> = {
  temperature_2m: '°C', relative_humidity_2m: '%', apparent_temperature: '°C', is_day: '', precipitation: 'mm', rain: 'mm',
  showers: 'mm', snowfall: 'cm', weather_code: 'wmo code', cloud_cover: '%', pressure_msl: 'hPa', surface_pressure: 'hPa',
  wind_speed_10m: 'km/h', wind_direction_10m: '°', wind_gusts_10m: 'km/h',
};
const AQ_UNITS: Record<string, string> = {
  us_aqi: 'USAQI', us_aqi_pm2_5: 'USAQI', us_aqi_pm10: 'USAQI', us_aqi_nitrogen_dioxide: 'USAQI', us_aqi_ozone: 'USAQI',
  us_aqi_sulphur_dioxide: 'USAQI', us_aqi_carbon_monoxide: 'USAQI', european_aqi: 'EAQI', european_aqi_pm2_5: 'EAQI',
  european_aqi_pm10: 'EAQI', european_aqi_nitrogen_dioxide: 'EAQI', european_aqi_ozone: 'EAQI', european_aqi_sulphur_dioxide: 'EAQI',
  pm2_5: 'μg/m³', pm10: 'μg/m³', ozone: 'μg/m³', nitrogen_dioxide: 'μg/m³', carbon_monoxide: 'μg/m³', sulphur_dioxide: 'μg/m³',
};

/** Smooth, deterministic weather: a daily temperature wave, steady wind. */
export function defaultWeather(t: Date): Values {
  const h = t.getUTCHours() + t.getUTCMinutes() / 60;
  return {
    temperature_2m: Math.round((8 + 4 * Math.sin(((h - 9) / 24) * 2 * Math.PI)) * 10) / 10,
    relative_humidity_2m: 80 - Math.round(h), precipitation: h < 6 ? 0.2 : 0, weather_code: h < 6 ? 61 : 3,
    cloud_cover: 90, pressure_msl: 1013.2, wind_speed_10m: 11.9, wind_direction_10m: 240,
  };
}

export function defaultAirQuality(t: Date): Values {
  const h = t.getUTCHours();
  return {
    us_aqi: 40 + h, us_aqi_pm2_5: 40 + h, us_aqi_pm10: 20, us_aqi_nitrogen_dioxide: 10, us_aqi_ozone: 30 + h / 2,
    us_aqi_sulphur_dioxide: 1, us_aqi_carbon_monoxide: 3, european_aqi: 30, european_aqi_pm2_5: 30, european_aqi_pm10: 15,
    european_aqi_nitrogen_dioxide: 12, european_aqi_ozone: 25, european_aqi_sulphur_dioxide: 1, pm2_5: 9.6, pm10: 14.1,
  };
}

/** The UTC offset of an IANA zone at an instant, in seconds. */
export function zoneOffsetSeconds(zone: string, at: number): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60) : 0;
}

const label = (instant: number, offset: number) => new Date(instant + offset * 1000).toISOString().slice(0, 16);

const CONVERT: Record<string, Record<string, [string, (v: number) => number]>> = {
  temperature_unit: { fahrenheit: ['°F', (v) => Math.round((v * 9) / 5 * 10 + 320) / 10] },
  wind_speed_unit: { ms: ['m/s', (v) => Math.round((v / 3.6) * 100) / 100], mph: ['mp/h', (v) => Math.round((v / 1.609344) * 10) / 10], kn: ['kn', (v) => Math.round((v / 1.852) * 10) / 10] },
  precipitation_unit: { inch: ['inch', (v) => Math.round((v / 25.4) * 1000) / 1000] },
};
const UNIT_PARAM: Record<string, string> = { '°C': 'temperature_unit', 'km/h': 'wind_speed_unit', mm: 'precipitation_unit' };

interface Api {
  air: boolean;
  units: Record<string, string>;
  kind: string;
  defaultDays: number;
  maxDays: number;
  /** Length of the `current` slot, ms. */
  interval: number;
}

const APIS: Record<string, Api> = {
  '/v1/forecast': { air: false, units: WEATHER_UNITS, kind: 'ForecastVariable', defaultDays: 7, maxDays: 16, interval: 900_000 },
  '/v1/air-quality': { air: true, units: AQ_UNITS, kind: 'AirQualityVariable', defaultDays: 5, maxDays: 7, interval: 3_600_000 },
};

const list = (v: string | undefined) => (v ? v.split(',') : []);

/** `auto` is the place's zone; GMT when none is asked for. */
function zoneOf(timezone: string | undefined, auto: string): string {
  if (timezone === 'auto') return auto;
  return !timezone || timezone === 'UTC' ? 'GMT' : timezone;
}

/** Open-Meteo's 400 reasons for a request it refuses. */
function refusal(p: Record<string, string>, api: Api, zone: string): string | undefined {
  for (const key of ['latitude', 'longitude']) {
    if (p[key] === undefined || !Number.isFinite(Number(p[key]))) return `Value of type 'Float' required for key '${key}'.`;
  }
  if (Math.abs(Number(p.latitude)) > 90) return `Latitude must be in range of -90 to 90°. Given: ${p.latitude}.`;
  const unknown = [...list(p.current), ...list(p.hourly)].find((v) => !(v in api.units));
  if (unknown) return `Cannot initialize ${api.kind} from invalid String value ${unknown} for key `;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    return 'Invalid timezone';
  }
  const days = Number(p.forecast_days ?? api.defaultDays);
  if (!Number.isInteger(days) || days < 0 || days > api.maxDays) return `Forecast days is invalid. Allowed range 0 to ${api.maxDays}.`;
  return undefined;
}

/** The unit a variable is answered in, and its value converted from metric. */
function unitOf(p: Record<string, string>, api: Api, variable: string): { unit: string; value: (x: number | null | undefined) => number | null } {
  const metric = api.units[variable]!;
  const param = UNIT_PARAM[metric];
  const conv = param ? CONVERT[param]?.[p[param] ?? ''] : undefined;
  return { unit: conv?.[0] ?? metric, value: (x) => (x === null || x === undefined ? null : conv ? conv[1](x) : x) };
}

/**
 * The answer at `now`: ONE offset (the one valid now) for every time, the current slot, and the
 * hourly series from local midnight for `forecast_days` days.
 */
function answerBody(p: Record<string, string>, api: Api, now: number, zone: string, values: (t: Date) => Values): Record<string, unknown> {
  const offset = zoneOffsetSeconds(zone, now);
  const unix = p.timeformat === 'unixtime';
  const time = (instant: number) => (unix ? instant / 1000 : label(instant, offset));
  const [lat, lon] = [Number(p.latitude), Number(p.longitude)];
  const body: Record<string, unknown> = {
    latitude: Math.round(lat * 10) / 10, longitude: Math.round(lon * 10) / 10, generationtime_ms: 0.03, utc_offset_seconds: offset,
    timezone: zone, timezone_abbreviation: offset === 0 ? 'GMT' : `GMT${offset > 0 ? '+' : '-'}${Math.abs(offset) / 3600}`, elevation: 38,
  };
  const current = list(p.current);
  if (current.length > 0) {
    const at = Math.floor(now / api.interval) * api.interval;
    const v = values(new Date(at));
    body.current_units = Object.fromEntries([['time', unix ? 'unixtime' : 'iso8601'], ['interval', 'seconds'], ...current.map((c) => [c, unitOf(p, api, c).unit])]);
    body.current = Object.fromEntries([['time', time(at)], ['interval', api.interval / 1000], ...current.map((c) => [c, unitOf(p, api, c).value(v[c])])]);
  }
  const hourly = list(p.hourly);
  if (hourly.length > 0) {
    const start = Math.floor((now + offset * 1000) / 86_400_000) * 86_400_000 - offset * 1000;
    const instants = Array.from({ length: Number(p.forecast_days ?? api.defaultDays) * 24 }, (_, i) => start + i * 3_600_000);
    const rows = instants.map((t) => values(new Date(t)));
    body.hourly_units = Object.fromEntries([['time', unix ? 'unixtime' : 'iso8601'], ...hourly.map((h) => [h, unitOf(p, api, h).unit])]);
    body.hourly = Object.fromEntries([['time', instants.map(time)], ...hourly.map((h) => [h, rows.map((r) => unitOf(p, api, h).value(r[h]))])]);
  }
  return body;
}

type Used = { minute: number[]; hour: number[]; day: number[] };

/** Counts a request against the free per-IP limits; Open-Meteo's reason once one is used up. */
function limited(used: Used, limits: FakeOpenMeteo['limits'], now: number): string | undefined {
  const keep = (list: number[], span: number) => list.filter((t) => t > now - span);
  used.minute = keep(used.minute, 60_000);
  used.hour = keep(used.hour, 3_600_000);
  used.day = keep(used.day, 86_400_000);
  if (used.minute.length >= limits.minutely) return 'Minutely API request limit exceeded. Please try again in one minute.';
  if (used.hour.length >= limits.hourly) return 'Hourly API request limit exceeded. Please try again in the next hour.';
  if (used.day.length >= limits.daily) return 'Daily API request limit exceeded. Please try again tomorrow.';
  for (const list of [used.minute, used.hour, used.day]) list.push(now);
  return undefined;
}

/** What Open-Meteo answers: the per-IP limits first, then the parameters, then the values. */
function reply(fake: FakeOpenMeteo, used: Used, path: string, params: Record<string, string>): FakeReply {
  const api = APIS[path];
  if (!api) return { status: 404, body: { error: true, reason: 'Not Found' } };
  const limit = limited(used, fake.limits, fake.now());
  if (limit) return { status: 429, body: { error: true, reason: limit } };
  const zone = zoneOf(params.timezone, fake.timezone);
  const reason = refusal(params, api, zone);
  if (reason) return { status: 400, body: { error: true, reason } };
  return { status: 200, body: answerBody(params, api, fake.now(), zone, api.air ? fake.airQuality : fake.weather) };
}

/** Starts the fake; its clock, zone, limits and values are writable fields. */
export async function startFakeOpenMeteo(): Promise<FakeOpenMeteo> {
  const used: Used = { minute: [], hour: [], day: [] };
  let fake!: FakeOpenMeteo; // the handler only runs once the fake is complete
  const base = await startHttpFake((req) => reply(fake, used, req.path, Object.fromEntries(req.query)));
  const settings = {
    now: Date.now,
    timezone: 'Europe/Berlin',
    limits: { minutely: 600, hourly: 5000, daily: 10000 },
    weather: defaultWeather,
    airQuality: defaultAirQuality,
    requestCount: () => base.requests.length,
  };
  fake = Object.assign(base, settings);
  return fake;
}
