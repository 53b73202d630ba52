import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AccessDeniedError, ConfigError, DataError, isIntField, type Point } from '../../../core/plugin-api/index.js';
import { accessibleRegions, accessProblem, canAccess, parseMyAccess } from '../../../plugins/watttime/access.js';
import {
  forecastRequest,
  historicalRequest,
  historicalWindows,
  parseForecast,
  parseHistorical,
  parseLogin,
  parseRegionFromLoc,
  parseSignalIndex,
  signalIndexRequest,
} from '../../../plugins/watttime/client.js';
import { forecastPoints, historicalPoints, indexPoints, warningTexts } from '../../../plugins/watttime/mapping.js';
import { classifyFailure, refineHttpError, type FailedCall } from '../../../plugins/watttime/upstream-errors.js';

// Golden cases: golden/<case>.body.* is a recorded upstream body, golden/<case>.expected.json says
// what the plugin makes of it: points and warnings, a parsed result, or the typed error (null when
// the host's generic mapping is the right answer).

const GOLDEN = new URL('./golden/', import.meta.url);

interface Expected {
  call: FailedCall;
  status: number;
  headers?: Record<string, string>;
  points?: unknown[];
  warnings?: string[];
  result?: unknown;
  error?: Record<string, unknown> | null;
}

const parsers = {
  forecast: (body: unknown) => {
    const payload = parseForecast(body);
    return { points: forecastPoints(payload), warnings: warningTexts(payload.meta) };
  },
  'signal-index': (body: unknown) => {
    const payload = parseSignalIndex(body);
    return { points: indexPoints(payload), warnings: warningTexts(payload.meta) };
  },
  historical: (body: unknown) => {
    const payload = parseHistorical(body);
    return { points: historicalPoints(payload), warnings: warningTexts(payload.meta) };
  },
  'my-access': (body: unknown) => ({ result: parseMyAccess(body) }),
  'region-from-loc': (body: unknown) => ({ result: parseRegionFromLoc(body) }),
  login: (body: unknown) => ({ result: parseLogin(body) }),
};

/** Points as JSON: times as ISO strings, exactly as the expected files hold them. */
const asJson = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

function caught(run: () => unknown): Error {
  try {
    run();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

function errorFields(err: Error, expected: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(expected).map((key) => [key, key === 'name' ? err.name : (err as unknown as Record<string, unknown>)[key]]));
}

const files = readdirSync(GOLDEN);
const cases = files.filter((f) => f.endsWith('.expected.json')).map((f) => f.replace('.expected.json', ''));

describe('watttime golden cases', () => {
  it('has an expected file for every recorded body and a body for every case', () => {
    const bodies = files.filter((f) => f.includes('.body.')).map((f) => f.slice(0, f.indexOf('.body.')));
    expect(bodies.sort()).toEqual([...cases].sort());
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it.each(cases)('%s', (name) => {
    const expected = JSON.parse(readFileSync(new URL(`${name}.expected.json`, GOLDEN), 'utf8')) as Expected;
    const bodyFile = files.find((f) => f.startsWith(`${name}.body.`))!;
    const body = readFileSync(new URL(bodyFile, GOLDEN), 'utf8');
    if (expected.status !== 200) {
      const err = classifyFailure(expected.call, { status: expected.status, body, ...(expected.headers ? { headers: expected.headers } : {}) });
      if (expected.error === null) return expect(err).toBeUndefined();
      return expect(errorFields(err!, expected.error!)).toEqual(expected.error);
    }
    const parse = parsers[expected.call.call];
    if (expected.error) return expect(errorFields(caught(() => parse(body)), expected.error)).toEqual(expected.error);
    const got = parse(body);
    expect(asJson(got)).toEqual(asJson({ ...('points' in expected ? { points: expected.points, warnings: expected.warnings } : { result: expected.result }) }));
  });
});

describe('watttime payload validation', () => {
  const meta = { data_point_period_seconds: 300, region: 'CAISO_NORTH', signal_type: 'co2_moer', units: 'lbs_co2_per_mwh', warnings: [] };
  const point = { point_time: '2024-06-18T18:40:00+00:00', value: 870.5 };

  it.each([
    [[], 'forecast: the body is not a JSON object'],
    [{ meta }, 'forecast: data is missing'],
    [{ data: {}, meta }, 'forecast: data is not an array'],
    [{ data: [point, null], meta }, 'forecast: data[1] is not a JSON object'],
    [{ data: [point, point, point, { point_time: point.point_time, value: null }], meta }, 'forecast: data[3].value is not a number'],
    [{ data: [{ value: 1 }], meta }, 'forecast: data[0].point_time is missing'],
    [{ data: [{ point_time: 'yesterday', value: 1 }], meta }, 'forecast: data[0].point_time is not a date-time with a timezone'],
    [{ data: [point], meta: { ...meta, region: '' } }, 'forecast: meta.region is not a non-empty string'],
    [{ data: [point], meta: { ...meta, units: undefined } }, 'forecast: meta.units is missing'],
    [{ data: [point], meta: { ...meta, data_point_period_seconds: -300 } }, 'forecast: meta.data_point_period_seconds is not a positive number'],
    [{ data: [point], meta: { ...meta, warnings: 'none' } }, 'forecast: meta.warnings is not an array'],
    [{ data: [point], meta: { ...meta, warnings: [{ message: 'x' }] } }, 'forecast: meta.warnings[0].type is missing'],
    [{ data: [point], meta: { ...meta, warnings: [{ type: 'MISSING_DATA', message: 3 }] } }, 'forecast: meta.warnings[0].message is not a string'],
    [{ data: [point], meta: { ...meta, generated_at: 'soon' } }, 'forecast: meta.generated_at is not a date-time with a timezone'],
  ])('rejects %j with "%s"', (body, message) => {
    const err = caught(() => parseForecast(body));
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toBe(message);
  });

  it('accepts a parsed body as well as text, and keeps values floats without a source tag', () => {
    const body = { data: [point], meta: { ...meta, model: { date: '2023-03-01' }, generated_at: '2024-06-18T18:40:00Z' } };
    const fromObject = forecastPoints(parseForecast(body));
    const fromText = forecastPoints(parseForecast(Buffer.from(JSON.stringify(body))));
    expect(fromText).toEqual(fromObject);
    const [only] = fromObject as [Point];
    expect(only.tags).toEqual({ region: 'CAISO_NORTH', signal_type: 'co2_moer', series: 'forecast' });
    expect(only.fields.value).toBe(870.5);
    expect(isIntField(only.fields.value)).toBe(false);
    expect(only.time.toISOString()).toBe('2024-06-18T18:40:00.000Z');
    expect(parseForecast(body).meta.generatedAt?.toISOString()).toBe('2024-06-18T18:40:00.000Z');
  });

  it('joins warnings of several answers without repeats', () => {
    const warning = { type: 'MISSING_DATA', message: 'Data imputed for 2 points' };
    const a = parseForecast({ data: [], meta: { ...meta, warnings: [warning] } }).meta;
    const b = parseHistorical({ data: [], meta: { ...meta, warnings: [warning, { type: 'EXAMPLE_WARNING', message: '' }] } }).meta;
    expect(warningTexts(a, b)).toEqual(['MISSING_DATA: Data imputed for 2 points', 'EXAMPLE_WARNING']);
  });
});

describe('watttime requests and access', () => {
  it('builds forecast and index requests and refuses a horizon beyond 72 hours', () => {
    expect(forecastRequest({ region: 'CAISO_NORTH', signalType: 'co2_moer' })).toEqual({
      path: 'v3/forecast',
      searchParams: { region: 'CAISO_NORTH', signal_type: 'co2_moer', horizon_hours: '24' },
    });
    expect(signalIndexRequest({ region: 'PSCO' }).searchParams).toEqual({ region: 'PSCO', signal_type: 'co2_moer' });
    expect(() => forecastRequest({ region: 'CAISO_NORTH', signalType: 'co2_moer', horizonHours: 73 })).toThrow(ConfigError);
    expect(() => forecastRequest({ region: 'CAISO_NORTH', signalType: 'co2_moer', horizonHours: 1.5 })).toThrow(/whole number/);
  });

  it('splits a long historical range into windows that neither overlap nor leave gaps', () => {
    const start = new Date('2024-01-01T00:00:00Z');
    const end = new Date('2024-03-06T12:00:00Z');
    const windows = historicalWindows(start, end);
    expect(windows).toHaveLength(3);
    expect(windows[0]).toEqual({ start, end: new Date('2024-01-30T23:59:59.999Z') });
    expect(windows[1]!.start).toEqual(new Date('2024-01-31T00:00:00Z'));
    expect(windows[2]!.end).toEqual(end);
    expect(historicalWindows(new Date('2024-01-01T00:02:17Z'), end)[1]!.start).toEqual(new Date('2024-01-31T00:02:17Z'));
    for (const w of windows) expect(() => historicalRequest({ region: 'CAISO_NORTH', signalType: 'co2_moer', ...w })).not.toThrow();
    expect(historicalWindows(start, start)).toEqual([{ start, end: start }]);
    expect(historicalRequest({ region: 'X', signalType: 'co2_moer', start, end: start }).searchParams.start).toBe('2024-01-01T00:00:00.000Z');
  });

  it('answers what a my-access hypercube allows, with a plain message for what it does not', () => {
    const body = readFileSync(new URL('my-access-normal.body.json', GOLDEN), 'utf8');
    const access = parseMyAccess(body);
    expect(canAccess(access, 'PJM_NJ', 'co2_moer', 'v3/forecast')).toBe(true);
    expect(canAccess(access, 'PJM_NJ', 'health_damage', 'v3/forecast')).toBe(false);
    expect(accessibleRegions(access, 'co2_moer', 'v3/historical')).toEqual(['PJM_NJ']);
    expect(accessProblem(access, 'PJM_NJ', 'co2_moer', ['forecast', 'signal-index', 'historical'])).toBeUndefined();
    const denied = accessProblem(access, 'PJM_DC', 'co2_moer', ['signal-index', 'forecast']);
    expect(denied).toBeInstanceOf(AccessDeniedError);
    expect(denied?.message).toBe('your WattTime plan does not include forecasts for PJM_DC; free accounts get CAISO_NORTH');
  });

  it('refines a got-shaped HTTP error and leaves other errors alone', () => {
    const body = readFileSync(new URL('forecast-403-scope.body.json', GOLDEN), 'utf8');
    const httpError = Object.assign(new Error('Response code 403 (Forbidden)'), { response: { statusCode: 403, body, headers: {} } });
    const refined = refineHttpError(httpError, { call: 'forecast', region: 'PJM_DC', signalType: 'co2_moer' }) as AccessDeniedError;
    expect(refined).toBeInstanceOf(AccessDeniedError);
    expect(refined.httpStatus).toBe(403);
    expect(refined.cause).toBe(httpError);
    const timeout = new Error('timeout');
    expect(refineHttpError(timeout, { call: 'forecast' })).toBe(timeout);
    const unavailable = Object.assign(new Error('503'), { response: { statusCode: 503, body: '' } });
    expect(refineHttpError(unavailable, { call: 'forecast' })).toBe(unavailable);
  });
});
