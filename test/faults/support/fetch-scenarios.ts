import { readFileSync } from 'node:fs';
import type { PluginDeclaration } from '../../../core/plugin-api/index.js';
import airnow from '../../../plugins/airnow/index.js';
import awattar from '../../../plugins/awattar/index.js';
import electricityMaps from '../../../plugins/electricity-maps/index.js';
import entsoe from '../../../plugins/entsoe/index.js';
import googleCalendar from '../../../plugins/google-calendar/index.js';
import ics from '../../../plugins/ics/index.js';
import octopusEnergy from '../../../plugins/octopus-energy/index.js';
import openMeteoAirQuality from '../../../plugins/open-meteo-air-quality/index.js';
import openMeteo from '../../../plugins/open-meteo/index.js';
import openweathermap from '../../../plugins/openweathermap/index.js';
import tibber from '../../../plugins/tibber/index.js';
import ukCarbonIntensity from '../../../plugins/uk-carbon-intensity/index.js';
import watttime from '../../../plugins/watttime/index.js';
import { startFakeAirNow } from '../../fakes/airnow.js';
import { startFakeAwattar, type MarketEntry } from '../../fakes/awattar.js';
import { startFakeElectricityMaps } from '../../fakes/electricity-maps.js';
import { startFakeEntsoe } from '../../fakes/entsoe.js';
import { startFakeGoogle } from '../../fakes/google-calendar.js';
import type { FakeRequest } from '../../fakes/http-fake.js';
import { SECRET_FEED_PATH, startFakeIcs } from '../../fakes/ics.js';
import { startFakeOctopus } from '../../fakes/octopus-energy.js';
import { startFakeOpenMeteo } from '../../fakes/open-meteo.js';
import { startFakeOpenWeatherMap } from '../../fakes/openweathermap.js';
import { DEMO_HOME_ID, startFakeTibber } from '../../fakes/tibber.js';
import { startFakeUkCarbon } from '../../fakes/uk-carbon-intensity.js';
import { startFakeWattTime } from '../../fakes/watttime.js';
import type { FixtureKind } from './arbitraries.js';

/**
 * Every built-in plugin's `fetch` against its fake upstream, loaded with the real answers its own
 * tests use, so that an untouched run succeeds. A property then replaces the answer to one
 * request (a target) with random bytes, random JSON or a mutation of the real answer.
 */

/** One request of a run whose answer a property replaces. */
export interface Target {
  name: string;
  /** What the answer is: JSON, an XML document or an iCalendar feed. */
  kind: FixtureKind;
  matches(req: FakeRequest): boolean;
}

/** The fake upstream of a scenario, started and loaded. */
export interface ScenarioFake {
  url: string;
  close(): Promise<void>;
}

export interface FetchScenario {
  name: string;
  plugin: PluginDeclaration;
  /** The instant every run happens at (Date is frozen there): the recorded answers' day. */
  now: string;
  /** Starts the fake upstream, loaded so that an untouched run succeeds; `source` says how to reach it through the proxy. */
  start(): Promise<ScenarioFake & { source(proxyUrl: string): { options: Record<string, unknown>; credentials?: Record<string, string> } }>;
  targets: Target[];
}

const PLUGINS = new URL('../../plugins/', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, PLUGINS), 'utf8');
const json = <T>(path: string): T => JSON.parse(read(path)) as T;
const path = (p: string, kind: FixtureKind = 'json'): Target => ({ name: `GET ${p}`, kind, matches: (req) => req.path === p });

const AIRNOW_KEY = 'airnow-test-key-0123';
const OWM_KEY = 'owm-test-key-abcdef';
const EM_TOKEN = 'em-test-token-4f2a9c';
const ENTSOE_TOKEN = '0f6c2a4e-8d1b-4c3a-9e7f-5b2d1a0c9e8f';
const DE_LU = '10Y1001A1001A82H';
const TIBBER_TOKEN = 'tibber-token-5c1a9e';
const WATTTIME_USER = { username: 'grid-watcher', password: 'Gr1d-carbon!' };
const OCTOPUS_PRODUCT = 'AGILE-24-10-01';
const OCTOPUS_TARIFF = 'E-1R-AGILE-24-10-01-C';
const BERLIN = { latitude: 52.52, longitude: 13.41 };
const PRAGUE = { latitude: 50.06, longitude: 14.44 };

export const FETCH_SCENARIOS: FetchScenario[] = [
  {
    name: 'airnow',
    plugin: airnow,
    now: '2026-10-02T00:10:00Z',
    start: async () => {
      const fake = await startFakeAirNow(AIRNOW_KEY);
      fake.hourlyLimit = 100_000;
      return { url: fake.url, close: () => fake.close(), source: (proxy) => ({ options: { base_url: proxy, zip_code: '20002' }, credentials: { api_key: AIRNOW_KEY } }) };
    },
    targets: [path('/aq/observation/current/ziplatlong/'), path('/aq/forecast/current/')],
  },
  {
    name: 'awattar',
    plugin: awattar,
    now: '2026-05-06T12:20:00Z',
    start: async () => {
      const fake = await startFakeAwattar({ dailyLimit: 100_000 });
      fake.setData(json<{ data: MarketEntry[] }>('awattar/golden/marketdata-normal.json').data);
      return { url: fake.url, close: () => fake.close(), source: (proxy) => ({ options: { base_url: proxy } }) };
    },
    targets: [path('/v1/marketdata')],
  },
  {
    name: 'uk-carbon-intensity',
    plugin: ukCarbonIntensity,
    now: '2026-12-05T07:10:00Z',
    start: async () => {
      const fake = await startFakeUkCarbon();
      return { url: fake.url, close: () => fake.close(), source: (proxy) => ({ options: { base_url: proxy } }) };
    },
    targets: [path('/intensity/2026-12-05T07:00Z/fw48h'), path('/intensity'), path('/generation')],
  },
  {
    name: 'electricity-maps',
    plugin: electricityMaps,
    now: '2026-12-05T07:10:00Z',
    start: async () => {
      const fake = await startFakeElectricityMaps();
      fake.addToken(EM_TOKEN, { plan: 'paid', zones: ['DE'] });
      return { url: fake.url, close: () => fake.close(), source: (proxy) => ({ options: { base_url: proxy, zone: 'DE' }, credentials: { api_key: EM_TOKEN } }) };
    },
    targets: ['latest', 'history', 'forecast'].map((p) => path(`/v3/carbon-intensity/${p}`)),
  },
  {
    name: 'entsoe',
    plugin: entsoe,
    now: '2026-05-06T12:20:00Z',
    start: async () => {
      const fake = await startFakeEntsoe({ token: ENTSOE_TOKEN, perMinuteLimit: 100_000 });
      fake.addDocument(read('entsoe/golden/de-lu-2026-05-06.xml'));
      fake.addDocument(read('entsoe/golden/de-lu-2026-05-07.xml'));
      return { url: fake.url, close: () => fake.close(), source: (proxy) => ({ options: { base_url: proxy, zone: DE_LU }, credentials: { security_token: ENTSOE_TOKEN } }) };
    },
    targets: [path('/api', 'xml')],
  },
  {
    name: 'google-calendar',
    plugin: googleCalendar,
    now: '2026-05-07T06:00:00Z',
    start: async () => {
      const fake = await startFakeGoogle();
      fake.load(json('google-calendar/golden/normal.json'));
      return {
        url: fake.url,
        close: () => fake.close(),
        source: (proxy) => ({
          options: { base_url: `${proxy}/calendar/v3`, token_url: `${proxy}/token` },
          credentials: { client_id: fake.clientId, client_secret: fake.clientSecret, refresh_token: fake.refreshToken },
        }),
      };
    },
    targets: [
      { name: 'POST /token', kind: 'json', matches: (req) => req.path === '/token' },
      { name: 'GET events', kind: 'json', matches: (req) => req.path.endsWith('/events') },
    ],
  },
  {
    name: 'ics',
    plugin: ics,
    now: '2026-05-07T06:00:00Z',
    start: async () => {
      const fake = await startFakeIcs();
      fake.setFeed(SECRET_FEED_PATH, read('ics/golden/normal.ics'));
      return { url: fake.url, close: () => fake.close(), source: (proxy) => ({ options: { url: `${proxy}${SECRET_FEED_PATH}` } }) };
    },
    targets: [{ name: 'GET the feed', kind: 'ics', matches: (req) => req.path === SECRET_FEED_PATH }],
  },
  {
    name: 'octopus-energy',
    plugin: octopusEnergy,
    now: '2026-05-06T17:00:00Z',
    start: async () => {
      const fake = await startFakeOctopus();
      fake.setRates(OCTOPUS_PRODUCT, OCTOPUS_TARIFF, json<{ results: unknown[] }>('octopus-energy/golden/rates-normal.json').results);
      return { url: fake.url, close: () => fake.close(), source: (proxy) => ({ options: { base_url: proxy } }) };
    },
    targets: [path(`/v1/products/${OCTOPUS_PRODUCT}/electricity-tariffs/${OCTOPUS_TARIFF}/standard-unit-rates/`)],
  },
  {
    name: 'open-meteo',
    plugin: openMeteo,
    now: '2025-12-21T18:40:00Z',
    start: async () => {
      const fake = await startFakeOpenMeteo();
      fake.limits = { minutely: 100_000, hourly: 100_000, daily: 100_000 };
      return { url: fake.url, close: () => fake.close(), source: (proxy) => ({ options: { base_url: proxy, ...BERLIN, forecast_hours: 3 } }) };
    },
    targets: [path('/v1/forecast')],
  },
  {
    name: 'open-meteo-air-quality',
    plugin: openMeteoAirQuality,
    now: '2025-12-21T18:20:00Z',
    start: async () => {
      const fake = await startFakeOpenMeteo();
      fake.limits = { minutely: 100_000, hourly: 100_000, daily: 100_000 };
      return { url: fake.url, close: () => fake.close(), source: (proxy) => ({ options: { base_url: proxy, ...BERLIN, forecast_hours: 2 } }) };
    },
    targets: [path('/v1/air-quality')],
  },
  ...[false, true].map(
    (oneCall): FetchScenario => ({
      name: oneCall ? 'openweathermap (One Call)' : 'openweathermap (current weather)',
      plugin: openweathermap,
      now: '2024-04-25T16:50:00Z',
      start: async () => {
        const fake = await startFakeOpenWeatherMap(OWM_KEY);
        fake.oneCallKeys.add(OWM_KEY);
        fake.perMinute = 100_000;
        return {
          url: fake.url,
          close: () => fake.close(),
          source: (proxy) => ({ options: { base_url: proxy, ...PRAGUE, one_call: oneCall, forecast_hours: 2 }, credentials: { api_key: OWM_KEY } }),
        };
      },
      targets: [path(oneCall ? '/data/3.0/onecall' : '/data/2.5/weather')],
    }),
  ),
  {
    name: 'tibber',
    plugin: tibber,
    now: '2026-05-06T12:20:00Z',
    start: async () => {
      const fake = await startFakeTibber({ token: TIBBER_TOKEN });
      fake.setPrices(DEMO_HOME_ID, 'QUARTER_HOURLY', json('tibber/golden/prices-normal.json'));
      return { url: fake.url, close: () => fake.close(), source: (proxy) => ({ options: { base_url: proxy }, credentials: { access_token: TIBBER_TOKEN } }) };
    },
    targets: [
      { name: 'the homes query', kind: 'json', matches: (req) => req.body.includes('homes') },
      { name: 'the prices query', kind: 'json', matches: (req) => req.body.includes('priceInfo') },
    ],
  },
  {
    name: 'watttime',
    plugin: watttime,
    now: '2024-06-18T18:42:17Z',
    start: async () => {
      const fake = await startFakeWattTime({ loginLimit: 100_000, requestLimit: 100_000 });
      // A user per run: the plugin paces logins per account (90 in 5 minutes), and Date stands still here.
      let users = 0;
      const source = (proxy: string) => {
        const credentials = { username: `${WATTTIME_USER.username}-${++users}`, password: WATTTIME_USER.password };
        fake.addUser(credentials.username, credentials.password);
        return { options: { base_url: proxy, backfill: 1 }, credentials };
      };
      return { url: fake.url, close: () => fake.close(), source };
    },
    targets: ['/login', '/v3/my-access', '/v3/forecast', '/v3/signal-index', '/v3/historical'].map((p) => path(p)),
  },
];
