import { DataError, int, type FieldValue } from '../../core/plugin-api/index.js';
import { wmoCode } from './conditions.js';

type Obj = Record<string, unknown>;

/** One time's weather as CONTRACT §4 fields (metric: °C, %, km/h, mm, hPa). */
export interface Reading {
  time: Date;
  fields: Record<string, FieldValue>;
}

function objectAt(parent: Obj, key: string, where: string): Obj | undefined {
  const v = parent[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new DataError(`${where}${key} is not an object`);
  return v as Obj;
}

function numberAt(parent: Obj | undefined, key: string, where: string): number | undefined {
  const v = parent?.[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new DataError(`${where}${key} is not a number`);
  return v;
}

/** `dt`: Unix seconds, UTC. */
function timeOf(o: Obj, where: string): Date {
  const dt = o.dt;
  const time = typeof dt === 'number' && dt > 0 ? new Date(dt * 1000) : undefined;
  // Past the year 275760 (8.64e12 s) a Date is invalid: no Unix time either.
  if (!time || !Number.isFinite(time.getTime())) throw new DataError(`${where}dt is not a Unix time`);
  return time;
}

/** Rain and snow of the last hour; OpenWeatherMap leaves both out when none fell, and so does this. */
function precipitationOf(o: Obj, where: string): number | undefined {
  const rain = numberAt(objectAt(o, 'rain', where), '1h', `${where}rain.`);
  const snow = numberAt(objectAt(o, 'snow', where), '1h', `${where}snow.`);
  if (rain === undefined && snow === undefined) return undefined;
  // 0.4 + 0.3 is 0.7000000000000001 in binary; OpenWeatherMap gives hundredths of a millimetre.
  const mm = Math.round(((rain ?? 0) + (snow ?? 0)) * 1000) / 1000;
  if (!Number.isFinite(mm)) throw new DataError(`${where}rain.1h and snow.1h are too large to be millimetres (${rain ?? 0}, ${snow ?? 0})`);
  return mm;
}

/** The first condition's id, as OpenWeatherMap's own code and as its WMO code. */
function conditionFields(o: Obj, where: string): Record<string, FieldValue> {
  const list = o.weather;
  if (list === undefined || list === null) return {};
  if (!Array.isArray(list)) throw new DataError(`${where}weather is not a list`);
  if (list.length === 0) return {};
  const first = list[0] && typeof list[0] === 'object' ? (list[0] as Obj) : {};
  const id = numberAt(first, 'id', `${where}weather[0].`);
  if (id === undefined) return {};
  const wmo = wmoCode(id);
  return { condition_id: int(id), ...(wmo === undefined ? {} : { weather_code: int(wmo) }) };
}

function compact(values: Record<string, number | undefined>): Record<string, FieldValue> {
  return Object.fromEntries(Object.entries(values).filter((e): e is [string, number] => e[1] !== undefined));
}

/** m/s to km/h; a speed whose km/h overflows a number (1e308 m/s) is no wind speed. */
function kmh(metresPerSecond: number | undefined, where: string): number | undefined {
  if (metresPerSecond === undefined) return undefined;
  const speed = Math.round(metresPerSecond * 3.6 * 100) / 100;
  if (!Number.isFinite(speed)) throw new DataError(`${where} is too large to be a wind speed (${metresPerSecond} m/s)`);
  return speed;
}

/** `/data/2.5/weather` (units=metric): `main`, `wind`, `clouds`, `rain`/`snow`, `weather[]`, `dt`. */
export function readCurrentWeather(body: Obj): Reading {
  const main = objectAt(body, 'main', '');
  const wind = objectAt(body, 'wind', '');
  const fields = compact({
    temperature_c: numberAt(main, 'temp', 'main.'),
    relative_humidity_pct: numberAt(main, 'humidity', 'main.'),
    wind_speed_kmh: kmh(numberAt(wind, 'speed', 'wind.'), 'wind.speed'),
    wind_direction_deg: numberAt(wind, 'deg', 'wind.'),
    precipitation_mm: precipitationOf(body, ''),
    pressure_hpa: numberAt(main, 'pressure', 'main.'),
    cloud_cover_pct: numberAt(objectAt(body, 'clouds', ''), 'all', 'clouds.'),
  });
  return { time: timeOf(body, ''), fields: { ...fields, ...conditionFields(body, '') } };
}

/** One Call 3.0 `current` or an `hourly[i]` entry: flat `temp`, `humidity`, `wind_speed`, `clouds`. */
export function readOneCallEntry(o: Obj, where: string): Reading {
  const fields = compact({
    temperature_c: numberAt(o, 'temp', where),
    relative_humidity_pct: numberAt(o, 'humidity', where),
    wind_speed_kmh: kmh(numberAt(o, 'wind_speed', where), `${where}wind_speed`),
    wind_direction_deg: numberAt(o, 'wind_deg', where),
    precipitation_mm: precipitationOf(o, where),
    pressure_hpa: numberAt(o, 'pressure', where),
    cloud_cover_pct: numberAt(o, 'clouds', where),
  });
  return { time: timeOf(o, where), fields: { ...fields, ...conditionFields(o, where) } };
}
