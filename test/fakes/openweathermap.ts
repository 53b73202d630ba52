/**
 * Fake OpenWeatherMap (../shared/apis/weather.md §4.2) on the shared base (http-fake.ts): current
 * weather, One Call 3.0 behind its subscription 401, the 5-day forecast, keys that are invalid or
 * not active yet, 400s for a bad place, the per-minute block. See test/fakes/README.md.
 */
import { startHttpFake, type FakeReply, type HttpFake } from './http-fake.js';

export const OWM_INVALID_KEY = 'Invalid API key. Please see https://openweathermap.org/faq#error401 for more info.';
export const OWM_ONE_CALL_SUBSCRIPTION =
  'Please note that using One Call 3.0 requires a separate subscription to the One Call by Call plan. Learn more here https://openweathermap.org/price. If you have a valid subscription to the One Call by Call plan, but still receive this error, then please see https://openweathermap.org/faq#error401 for more info.';
const BLOCKED =
  'Your account is temporary blocked due to exceeding of requests limitation of your subscription type. Please choose the proper subscription https://openweathermap.org/price';

/** Metric weather of an instant: °C, %, hPa, m/s, mm in the last hour, OpenWeatherMap condition id. */
export interface OwmWeather {
  temp: number;
  humidity: number;
  pressure: number;
  wind_speed: number;
  wind_deg: number;
  clouds: number;
  rain_1h?: number;
  condition: number;
}

export function defaultOwmWeather(t: Date): OwmWeather {
  const h = t.getUTCHours();
  return { temp: 10 + h / 4, humidity: 70, pressure: 1015, wind_speed: 3.5, wind_deg: 200, clouds: 75, ...(h % 6 === 0 ? { rain_1h: 0.5 } : {}), condition: h % 6 === 0 ? 500 : 803 };
}

export interface FakeOpenWeatherMap extends HttpFake {
  /** Active keys. */
  keys: Set<string>;
  /** Keys with the One Call by Call subscription. */
  oneCallKeys: Set<string>;
  /** New keys and when (ms) they become active. */
  pendingKeys: Map<string, number>;
  perMinute: number;
  now: () => number;
  weather: (t: Date) => OwmWeather;
  requestCount(): number;
}

const CONDITIONS: Record<number, [string, string]> = { 500: ['Rain', 'light rain'], 803: ['Clouds', 'broken clouds'], 800: ['Clear', 'clear sky'] };

function unitsOf(units: string | undefined): { temp: (c: number) => number; speed: (ms: number) => number } {
  const r = (v: number) => Math.round(v * 100) / 100;
  if (units === 'metric') return { temp: r, speed: r };
  if (units === 'imperial') return { temp: (c) => r((c * 9) / 5 + 32), speed: (ms) => r(ms * 2.23694) };
  return { temp: (c) => r(c + 273.15), speed: r };
}

function oneCallEntry(w: OwmWeather, dt: number, u: ReturnType<typeof unitsOf>): Record<string, unknown> {
  const [main, description] = CONDITIONS[w.condition] ?? ['Clouds', 'clouds'];
  return {
    dt, temp: u.temp(w.temp), feels_like: u.temp(w.temp - 1), pressure: w.pressure, humidity: w.humidity, dew_point: u.temp(w.temp - 4), uvi: 0.2,
    clouds: w.clouds, visibility: 10000, wind_speed: u.speed(w.wind_speed), wind_deg: w.wind_deg,
    weather: [{ id: w.condition, main, description, icon: '04d' }], ...(w.rain_1h === undefined ? {} : { rain: { '1h': w.rain_1h } }),
  };
}

function currentBody(w: OwmWeather, dt: number, lat: number, lon: number, u: ReturnType<typeof unitsOf>): Record<string, unknown> {
  const [main, description] = CONDITIONS[w.condition] ?? ['Clouds', 'clouds'];
  return {
    coord: { lon, lat }, weather: [{ id: w.condition, main, description, icon: '04d' }], base: 'stations',
    main: { temp: u.temp(w.temp), feels_like: u.temp(w.temp - 1), temp_min: u.temp(w.temp - 1), temp_max: u.temp(w.temp + 1), pressure: w.pressure, humidity: w.humidity, sea_level: w.pressure, grnd_level: w.pressure - 80 },
    visibility: 10000, wind: { speed: u.speed(w.wind_speed), deg: w.wind_deg }, ...(w.rain_1h === undefined ? {} : { rain: { '1h': w.rain_1h } }),
    clouds: { all: w.clouds }, dt, sys: { type: 2, id: 2075663, country: 'IT', sunrise: dt - 20000, sunset: dt + 20000 }, timezone: 7200, id: 3163858, name: 'Zocca', cod: 200,
  };
}

function isActive(fake: FakeOpenWeatherMap, key: string | null): boolean {
  return key !== null && (fake.keys.has(key) || (fake.pendingKeys.has(key) && fake.now() >= fake.pendingKeys.get(key)!));
}

/** What OpenWeatherMap answers: key and plan first, then its per-minute limit, then the place. */
function reply(fake: FakeOpenWeatherMap, calls: number[], path: string, p: Record<string, string>, appid: string | null): FakeReply {
  const paths = ['/data/2.5/weather', '/data/3.0/onecall', '/data/2.5/forecast', '/data/2.5/onecall'];
  if (!paths.includes(path)) return { status: 404, body: { cod: '404', message: 'Internal error' } };
  if (!isActive(fake, appid) || path === '/data/2.5/onecall') return { status: 401, body: { cod: 401, message: OWM_INVALID_KEY } };
  if (path === '/data/3.0/onecall' && !fake.oneCallKeys.has(appid!)) return { status: 401, body: { cod: 401, message: OWM_ONE_CALL_SUBSCRIPTION } };
  const now = fake.now();
  calls.splice(0, calls.length, ...calls.filter((t) => t > now - 60_000));
  if (calls.length >= fake.perMinute) return { status: 429, body: { cod: 429, message: BLOCKED } };
  calls.push(now);
  if (p.lat === undefined || p.lon === undefined) return { status: 400, body: { cod: '400', message: 'Nothing to geocode' } };
  const lat = Number(p.lat);
  const lon = Number(p.lon);
  if (!Number.isFinite(lat) || lat < -90 || lat > 90) return { status: 400, body: { cod: '400', message: 'wrong latitude' } };
  if (!Number.isFinite(lon) || lon < -180 || lon > 180) return { status: 400, body: { cod: '400', message: 'wrong longitude' } };
  return weatherReply(fake, path, p, lat, lon);
}

/** The weather of `now()` at the place, in the units asked for. */
function weatherReply(fake: FakeOpenWeatherMap, path: string, p: Record<string, string>, lat: number, lon: number): FakeReply {
  const now = fake.now();
  const u = unitsOf(p.units);
  const slot = Math.floor(now / 600_000) * 600;
  if (path === '/data/2.5/weather') return { status: 200, body: currentBody(fake.weather(new Date(slot * 1000)), slot, lat, lon, u) };
  const hour = Math.floor(now / 3_600_000) * 3600;
  if (path === '/data/2.5/forecast') {
    const list = Array.from({ length: 40 }, (_, i) => hour + (i + 1) * 10800).map((dt) => ({ ...oneCallEntry(fake.weather(new Date(dt * 1000)), dt, u), dt_txt: new Date(dt * 1000).toISOString().replace('T', ' ').slice(0, 19) }));
    return { status: 200, body: { cod: '200', message: 0, cnt: list.length, list } };
  }
  const exclude = (p.exclude ?? '').split(',');
  const body: Record<string, unknown> = { lat, lon, timezone: 'Europe/Rome', timezone_offset: 3600 };
  if (!exclude.includes('current')) body.current = { ...oneCallEntry(fake.weather(new Date(slot * 1000)), slot, u), sunrise: slot - 20000, sunset: slot + 20000 };
  if (!exclude.includes('hourly')) body.hourly = Array.from({ length: 48 }, (_, i) => hour + i * 3600).map((dt) => ({ ...oneCallEntry(fake.weather(new Date(dt * 1000)), dt, u), pop: 0.2 }));
  if (!exclude.includes('minutely')) body.minutely = Array.from({ length: 61 }, (_, i) => ({ dt: Math.floor(now / 60_000) * 60 + i * 60, precipitation: 0 }));
  if (!exclude.includes('daily')) body.daily = [];
  return { status: 200, body };
}

/** Starts the fake; `key` is active from the start, without the One Call subscription. */
export async function startFakeOpenWeatherMap(key = 'owm-test-key-abcdef'): Promise<FakeOpenWeatherMap> {
  const calls: number[] = [];
  let fake!: FakeOpenWeatherMap; // the handler only runs once the fake is complete
  const base = await startHttpFake((req) => reply(fake, calls, req.path, Object.fromEntries(req.query), req.query.get('appid')));
  const settings = {
    keys: new Set([key]),
    oneCallKeys: new Set<string>(),
    pendingKeys: new Map<string, number>(),
    perMinute: 60,
    now: Date.now,
    weather: defaultOwmWeather,
    requestCount: () => base.requests.length,
  };
  fake = Object.assign(base, settings);
  return fake;
}
