import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { windowAround } from '../../../core/plugin-api/index.js';
import { readForecasts, readObservations } from '../../../plugins/airnow/records.js';
import { forecastPoints as airnowForecastPoints, observationPoints } from '../../../plugins/airnow/points.js';
import { marketPoints } from '../../../plugins/awattar/market-data.js';
import { readLatest, readSeries } from '../../../plugins/electricity-maps/answers.js';
import { curvePoints } from '../../../plugins/entsoe/price-curve.js';
import { parseEntsoeXml } from '../../../plugins/entsoe/xml-document.js';
import { checkItem, toCalendarEvent } from '../../../plugins/google-calendar/event-mapping.js';
import { feedEvents } from '../../../plugins/ics/feed-events.js';
import { compileMapping, toPoints } from '../../../plugins/http-json/mapping.js';
import type { HttpJsonOptions } from '../../../plugins/http-json/options.js';
import { INTENSITY, PRICES } from '../../fakes/http-json.js';
import { ratePoints } from '../../../plugins/octopus-energy/rate-mapping.js';
import { readAirQualityResponse } from '../../../plugins/open-meteo-air-quality/air-quality-response.js';
import { INDEX_VARIABLES } from '../../../plugins/open-meteo-air-quality/aqi-scale.js';
import { currentPoints as aqCurrentPoints, forecastPoints as aqForecastPoints } from '../../../plugins/open-meteo-air-quality/points.js';
import { readForecastResponse } from '../../../plugins/open-meteo/forecast-response.js';
import { currentPoint as weatherCurrentPoint, forecastPoints as weatherForecastPoints } from '../../../plugins/open-meteo/points.js';
import { WEATHER_VARIABLES } from '../../../plugins/open-meteo/variables.js';
import { readCurrentWeather, readOneCallEntry, type Reading } from '../../../plugins/openweathermap/weather-reading.js';
import { pricePoints, readHomePrices } from '../../../plugins/tibber/price-mapping.js';
import { readGeneration, readNational, readRegion } from '../../../plugins/uk-carbon-intensity/periods.js';
import { intensityPoints, mixPoints } from '../../../plugins/uk-carbon-intensity/points.js';
import { parseMyAccess } from '../../../plugins/watttime/access.js';
import { parseForecast, parseHistorical, parseLogin, parseRegionFromLoc, parseSignalIndex } from '../../../plugins/watttime/client.js';
import { forecastPoints as wattForecastPoints, historicalPoints, indexPoints } from '../../../plugins/watttime/mapping.js';
import type { Point } from '../../../core/plugin-api/index.js';
import { randomJson } from './arbitraries.js';
import { assertDataError, assertEvents, assertInstant, assertPoints, parseChecked } from './checks.js';

/**
 * Every built-in plugin's exported parsers, each with the real answers its tests use. A case's
 * `parse` calls the parser as the plugin's `fetch` does and checks the points it makes.
 */
export interface ParserCase {
  plugin: string;
  parser: string;
  /** `json`: the parser gets a parsed JSON value; `xml`/`ics`: it gets the body's text. */
  input: 'json' | 'xml' | 'ics';
  /** Real answers by name, as the parser gets them (JSON values, or text). */
  valid: Record<string, unknown>;
  /** What random input looks like for this parser, when plain random JSON is not it (a list of rows). */
  random?: fc.Arbitrary<unknown>;
  /** Parses `input` (described by `label` in messages) and checks the result. */
  parse(input: unknown, label: string): void;
}

const PLUGINS = new URL('../../plugins/', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, PLUGINS), 'utf8');
const at = (value: unknown, ...keys: string[]): unknown => keys.reduce((v, k) => (v as Record<string, unknown>)[k], value);
const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);
/** A recorded JSON answer (or the part of it at `keys`), named by its file. */
const json = (path: string, ...keys: string[]): [string, unknown] => [baseName(path), at(JSON.parse(read(path)), ...keys)];
/** A recorded text answer, named by its file. */
const text = (path: string): [string, unknown] => [baseName(path), read(path)];
const fixtures = (...entries: [string, unknown][]): Record<string, unknown> => Object.fromEntries(entries);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A list of random rows: what the parsers of a JSON array get. */
const randomRows = fc.array(randomJson, { maxLength: 6 });

function readingPoint(measurement: string, r: Reading): Point[] {
  return Object.keys(r.fields).length > 0 ? [{ measurement, fields: r.fields, time: r.time }] : [];
}

const UK_OPTIONS = { url: 'intensity', method: 'GET', records: 'data', time: 'from', time_format: 'iso8601', measurement: 'carbon_intensity', tags: { index: 'intensity.index' }, fields: { forecast: 'intensity.forecast', actual: 'intensity.actual' } } as HttpJsonOptions;
const UK_MAPPING = compileMapping(UK_OPTIONS).mapping;
const PRICE_OPTIONS = { ...UK_OPTIONS, records: 'prices', time: 'ts', time_format: 'epoch_ms', tags: {}, fields: { eur_mwh: 'eur_mwh' } } as HttpJsonOptions;
const PRICE_MAPPING = compileMapping(PRICE_OPTIONS).mapping;

export const PARSER_CASES: ParserCase[] = [
  {
    plugin: 'airnow',
    parser: 'readObservations → observationPoints',
    input: 'json',
    valid: fixtures(json('airnow/golden/normal.json', 'upstream', '0', 'body'), json('airnow/golden/legacy-shape.json', 'upstream', '0', 'body')),
    random: randomRows,
    parse: (rows, label) => {
      if (!Array.isArray(rows)) return;
      parseChecked(label, () => observationPoints(readObservations(rows), []), (points) => assertPoints(points, label));
    },
  },
  {
    plugin: 'airnow',
    parser: 'readForecasts → forecastPoints',
    input: 'json',
    valid: fixtures(json('airnow/golden/normal.json', 'upstream', '1', 'body'), json('airnow/golden/legacy-shape.json', 'upstream', '1', 'body')),
    random: randomRows,
    parse: (rows, label) => {
      if (!Array.isArray(rows)) return;
      parseChecked(label, () => airnowForecastPoints(readForecasts(rows), []), (points) => assertPoints(points, label));
    },
  },
  {
    plugin: 'http-json',
    parser: 'toPoints',
    input: 'json',
    valid: fixtures(['carbon-intensity', INTENSITY]),
    parse: (body, label) => parseChecked(label, () => toPoints(body, UK_MAPPING, UK_OPTIONS).points, (points) => assertPoints(points, label)),
  },
  {
    plugin: 'http-json',
    parser: 'toPoints (epoch ms)',
    input: 'json',
    valid: fixtures(['prices', PRICES]),
    parse: (body, label) => parseChecked(label, () => toPoints(body, PRICE_MAPPING, PRICE_OPTIONS).points, (points) => assertPoints(points, label)),
  },
  {
    plugin: 'awattar',
    parser: 'marketPoints',
    input: 'json',
    valid: fixtures(json('awattar/golden/marketdata-normal.json'), json('awattar/golden/marketdata-dst-autumn-15min.json')),
    parse: (body, label) => parseChecked(label, () => marketPoints(body, 'DE'), (points) => assertPoints(points, label)),
  },
  ...(
    [
      ['readNational → intensityPoints', 'normal.json', '0', (b: unknown) => intensityPoints('GB', readNational(b, 'fw48h'))],
      ['readGeneration → mixPoints', 'normal.json', '2', (b: unknown) => ((g) => mixPoints('GB', g.from, g.mix))(readGeneration(b))],
      ['readRegion → intensityPoints', 'regional-postcode.json', '0', (b: unknown) => ((r) => intensityPoints(r.shortname, r.periods))(readRegion(b, 'fw48h'))],
      ['readRegion (current) → mixPoints', 'regional-postcode.json', '1', (b: unknown) => readRegion(b, 'current').periods.flatMap((p) => mixPoints('r', p.from, p.mix))],
    ] as const
  ).map(
    ([parser, file, key, parse]): ParserCase => ({
      plugin: 'uk-carbon-intensity',
      parser,
      input: 'json',
      valid: fixtures(json(`uk-carbon-intensity/golden/${file}`, 'upstream', key, 'body')),
      parse: (body, label) => parseChecked(label, () => parse(body), (points) => assertPoints(points, label)),
    }),
  ),
  ...(
    [
      ['readLatest', '0', (b: unknown) => readLatest(b)],
      ['readSeries (history)', '1', (b: unknown) => readSeries(b, 'history')],
      ['readSeries (forecast)', '2', (b: unknown) => readSeries(b, 'forecast')],
    ] as const
  ).map(
    ([parser, key, parse]): ParserCase => ({
      plugin: 'electricity-maps',
      parser,
      input: 'json',
      valid: fixtures(json('electricity-maps/golden/normal.json', 'upstream', key, 'body')),
      parse: (body, label) => parseChecked(label, () => parse(body)),
    }),
  ),
  {
    plugin: 'entsoe',
    parser: 'parseEntsoeXml → curvePoints',
    input: 'xml',
    valid: fixtures(text('entsoe/golden/nl-2026-05-06-pt60m.xml'), text('entsoe/golden/de-lu-2026-03-29.xml'), text('entsoe/golden/be-2026-05-06-mixed.xml')),
    parse: (xml, label) =>
      parseChecked(
        label,
        () => {
          const doc = parseEntsoeXml(xml as string, 'today');
          return doc.kind === 'prices' ? curvePoints(doc.periods, '10Y1001A1001A82H', 'PT15M') : [];
        },
        (points) => assertPoints(points, label),
      ),
  },
  {
    plugin: 'google-calendar',
    parser: 'checkItem → toCalendarEvent',
    input: 'json',
    valid: fixtures(json('google-calendar/golden/normal.json'), json('google-calendar/golden/dst.json')),
    parse: (body, label) => {
      const items = isObject(body) && Array.isArray(body.items) ? body.items : [body];
      items.forEach((raw, i) =>
        parseChecked(`${label} items[${i}]`, () => toCalendarEvent(checkItem(raw, `items[${i}]`), 'Europe/Berlin'), (e) => assertEvents([e], label)),
      );
    },
  },
  {
    plugin: 'ics',
    parser: 'feedEvents',
    input: 'ics',
    valid: fixtures(text('ics/golden/normal.ics'), text('ics/golden/dst.ics'), text('ics/golden/bad-event.ics')),
    parse: (feed, label) =>
      parseChecked(
        label,
        () => feedEvents(feed as string, windowAround(new Date('2026-05-07T06:00:00Z'), 7, 30), undefined),
        (result) => {
          assertEvents(result.events, label);
          for (const e of result.errors) assertDataError(e.error, `${label} (item ${e.item})`);
        },
      ),
  },
  {
    plugin: 'octopus-energy',
    parser: 'ratePoints',
    input: 'json',
    valid: fixtures(json('octopus-energy/golden/rates-normal.json', 'results'), json('octopus-energy/golden/rates-dst-autumn.json', 'results')),
    random: randomRows,
    parse: (rows, label) => {
      if (!Array.isArray(rows)) return;
      parseChecked(label, () => ratePoints(rows, 'E-1R-AGILE-24-10-01-C', 'DIRECT_DEBIT'), (points) => assertPoints(points, label));
    },
  },
  {
    plugin: 'open-meteo',
    parser: 'readForecastResponse → currentPoint, forecastPoints',
    input: 'json',
    valid: fixtures(json('open-meteo/golden/normal.json', 'upstream', 'body'), json('open-meteo/golden/dst-autumn.json', 'upstream', 'body')),
    parse: (body, label) =>
      parseChecked(
        label,
        () => {
          const answer = readForecastResponse(body, WEATHER_VARIABLES);
          const after = answer.current?.time ?? new Date('2025-12-21T18:40:00Z');
          return [...weatherCurrentPoint(answer.current, WEATHER_VARIABLES), ...weatherForecastPoints(answer.hourly, after, 48, WEATHER_VARIABLES)];
        },
        (points) => assertPoints(points, label),
      ),
  },
  ...(['us', 'european'] as const).map(
    (index): ParserCase => ({
      plugin: 'open-meteo-air-quality',
      parser: `readAirQualityResponse → currentPoints, forecastPoints (${index})`,
      input: 'json',
      valid: fixtures(json(`open-meteo-air-quality/golden/${index === 'us' ? 'normal-us' : 'european'}.json`, 'upstream', 'body')),
      parse: (body, label) =>
        parseChecked(
          label,
          () => {
            const answer = readAirQualityResponse(body, INDEX_VARIABLES[index].map((v) => v.api));
            const after = answer.current?.time ?? new Date('2025-12-21T18:20:00Z');
            return [...aqCurrentPoints(answer.current, index), ...aqForecastPoints(answer.hourly, after, 48, index)];
          },
          (points) => assertPoints(points, label),
        ),
    }),
  ),
  {
    plugin: 'openweathermap',
    parser: 'readCurrentWeather',
    input: 'json',
    valid: fixtures(json('openweathermap/golden/current.json', 'upstream', 'body'), json('openweathermap/golden/current-dry.json', 'upstream', 'body')),
    parse: (body, label) => {
      if (!isObject(body)) return;
      parseChecked(label, () => readCurrentWeather(body), (r) => {
        assertInstant(r.time, `${label}: the reading's time`);
        assertPoints(readingPoint('weather', r), label);
      });
    },
  },
  {
    plugin: 'openweathermap',
    parser: 'readOneCallEntry (current, hourly[i])',
    input: 'json',
    valid: fixtures(json('openweathermap/golden/one-call.json', 'upstream', 'body')),
    parse: (body, label) => {
      if (!isObject(body)) return;
      const entries = [body.current, ...(Array.isArray(body.hourly) ? body.hourly : [])].filter(isObject);
      entries.forEach((entry, i) =>
        parseChecked(`${label} entry ${i}`, () => readOneCallEntry(entry, `hourly[${i}].`), (r) => {
          assertInstant(r.time, `${label}: entry ${i}'s time`);
          assertPoints(readingPoint('weather_forecast', r), label);
        }),
      );
    },
  },
  {
    plugin: 'tibber',
    parser: 'readHomePrices → pricePoints',
    input: 'json',
    valid: fixtures(json('tibber/golden/prices-normal.json', 'data'), json('tibber/golden/prices-dst-autumn.json', 'data')),
    parse: (data, label) => {
      if (!isObject(data)) return;
      parseChecked(
        label,
        () => {
          const prices = readHomePrices(data, 'home h1');
          if (!prices) return [];
          return [...pricePoints('h1', prices.today, 'QUARTER_HOURLY', 'today'), ...pricePoints('h1', prices.tomorrow, 'QUARTER_HOURLY', 'tomorrow')];
        },
        (points) => assertPoints(points, label),
      );
    },
  },
  ...(
    [
      ['parseForecast → forecastPoints', 'cases/normal.json', '0', (b: unknown) => wattForecastPoints(parseForecast(b))],
      ['parseSignalIndex → indexPoints', 'cases/normal.json', '1', (b: unknown) => indexPoints(parseSignalIndex(b))],
      ['parseHistorical → historicalPoints', 'cases/normal.json', '2', (b: unknown) => historicalPoints(parseHistorical(b))],
    ] as const
  ).map(
    ([parser, file, key, parse]): ParserCase => ({
      plugin: 'watttime',
      parser,
      input: 'json',
      valid: fixtures(json(`watttime/golden/${file}`, 'upstream', key, 'body')),
      parse: (body, label) => parseChecked(label, () => parse(body), (points) => assertPoints(points, label)),
    }),
  ),
  {
    plugin: 'watttime',
    parser: 'parseMyAccess',
    input: 'json',
    valid: fixtures(json('watttime/golden/my-access-normal.body.json')),
    parse: (body, label) => parseChecked(label, () => parseMyAccess(body)),
  },
  {
    plugin: 'watttime',
    parser: 'parseLogin',
    input: 'json',
    valid: fixtures(json('watttime/golden/login-normal.body.json')),
    parse: (body, label) => parseChecked(label, () => parseLogin(body)),
  },
  {
    plugin: 'watttime',
    parser: 'parseRegionFromLoc',
    input: 'json',
    valid: fixtures(json('watttime/golden/region-from-loc-normal.body.json')),
    parse: (body, label) => parseChecked(label, () => parseRegionFromLoc(body)),
  },
];
