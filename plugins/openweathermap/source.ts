import {
  DataError,
  UpstreamError,
  type DataSource,
  type FetchResult,
  type Point,
  type RunContext,
} from '../../core/plugin-api/index.js';
import type { OpenWeatherMapOptions } from './options.js';
import { openWeatherMapError } from './owm-error.js';
import { readCurrentWeather, readOneCallEntry, type Reading } from './weather-reading.js';

const CURRENT_PATH = 'data/2.5/weather';
const ONE_CALL_PATH = 'data/3.0/onecall';
const TAGS = { provider: 'openweathermap' } as const;

type Obj = Record<string, unknown>;

/** One OpenWeatherMap source: current weather, or One Call 3.0 with the hourly forecast; one request a run. */
export class OpenWeatherMapSource implements DataSource<OpenWeatherMapOptions> {
  async fetch(ctx: RunContext<OpenWeatherMapOptions>): Promise<FetchResult> {
    const o = ctx.options;
    if (!o.one_call) {
      const reading = readCurrentWeather(await this.get(ctx, CURRENT_PATH, {}));
      return { points: [toPoint('weather', reading)], details: { mode: 'current' } };
    }
    const body = await this.get(ctx, ONE_CALL_PATH, { exclude: 'minutely,daily,alerts' });
    const current = body.current === undefined ? undefined : readOneCallEntry(asObject(body.current, 'current'), 'current.');
    const hourly = body.hourly === undefined ? [] : asList(body.hourly, 'hourly').map((h, i) => readOneCallEntry(asObject(h, `hourly[${i}]`), `hourly[${i}].`));
    const after = current?.time.getTime() ?? Date.now();
    const forecast = hourly.filter((r) => r.time.getTime() > after).slice(0, o.forecast_hours);
    const points: Point[] = [...(current ? [toPoint('weather', current)] : []), ...forecast.map((r) => toPoint('weather_forecast', r))];
    if (points.length === 0) throw new UpstreamError(`OpenWeatherMap sent no weather for latitude ${o.latitude}, longitude ${o.longitude}`, { retryable: false });
    return { points, details: { mode: 'one_call', timezone: typeof body.timezone === 'string' ? body.timezone : null } };
  }

  /** A GET in metric units; OpenWeatherMap's own error texts become typed errors here. */
  private async get(ctx: RunContext<OpenWeatherMapOptions>, path: string, extra: Record<string, string>): Promise<Obj> {
    const searchParams = { lat: ctx.options.latitude, lon: ctx.options.longitude, units: 'metric', ...extra };
    let body: unknown;
    try {
      body = await ctx.http.get(path, { searchParams }).json<unknown>();
    } catch (err) {
      throw openWeatherMapError(err, path, ctx.lastSuccess !== null) ?? err;
    }
    const o = asObject(body, 'the answer');
    // The 2.5 API repeats its status in `cod` (a number or a string); anything but 200 is an error.
    if (o.cod !== undefined) {
      if (typeof o.cod !== 'number' && typeof o.cod !== 'string') throw new DataError(`the answer's cod is ${JSON.stringify(o.cod)}, not a status code`);
      if (String(o.cod) !== '200') {
        const said = typeof o.message === 'string' && o.message ? o.message : `cod ${o.cod}`;
        throw new UpstreamError(`OpenWeatherMap answered an error for GET /${path}: ${said}`, { retryable: false });
      }
    }
    return o;
  }
}

function toPoint(measurement: string, r: Reading): Point {
  if (Object.keys(r.fields).length === 0) throw new DataError(`${measurement} at ${r.time.toISOString()} has no value`);
  return { measurement, tags: { ...TAGS }, fields: r.fields, time: r.time };
}

function asObject(v: unknown, where: string): Obj {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new DataError(`${where} is not an object`);
  return v as Obj;
}

function asList(v: unknown, where: string): unknown[] {
  if (!Array.isArray(v)) throw new DataError(`${where} is not a list`);
  return v;
}
