/**
 * Fake AirNow web services (../shared/apis/airnow.md) on the shared base (http-fake.ts): the 2026
 * services and the retired legacy paths, AirNow's `WebServiceError` envelope, a per-key hourly
 * limit with its exact text, places by ZIP code or coordinates. See test/fakes/README.md.
 */
import { startHttpFake, type FakeReply, type HttpFake } from './http-fake.js';

export const AIRNOW_LIMIT_MESSAGE = 'Web service request limit exceeded.  See web service documentation at www.airnowapi.org for details.';

export interface AirNowLocation {
  zip?: string;
  latitude?: number;
  longitude?: number;
  /** Records in the 2026 shape of `/aq/observation/current/ziplatlong/`. */
  observations: Record<string, unknown>[];
  /** Records in the 2026 shape of `/aq/forecast/current/`. */
  forecasts: Record<string, unknown>[];
}

export interface FakeAirNow extends HttpFake {
  /** The one key it accepts. */
  key: string;
  locations: AirNowLocation[];
  /** The legacy zip-code and lat/long paths answer the auth-style error (as since 2026-09-30). */
  retired: boolean;
  /** Status of the `WebServiceError` answers (401 as in pyairnow's mock; 200 happens too). */
  errorStatus: number;
  hourlyLimit: number;
  now: () => number;
  requestCount(): number;
}

const DC = { reportingAreaName: 'Metropolitan Washington', siteID: '110010043', siteName: 'McMillan NCore-PAMS', localTimeZone: 'EDT' };

/** A place with a station: Washington DC on an October evening. */
export function washingtonDc(): AirNowLocation {
  const obs = (parameterName: string, nowcastAQI: number, aqiCategoryName: string) => ({
    dateObserved: '2026-10-01',
    hourObserved: '19:00',
    ...DC,
    parameterName,
    nowcastAQI,
    aqiCategoryName,
  });
  const fc = (dateValid: string, parameterName: string, aqi: number, categoryNumber: number, categoryName: string) => ({
    dateIssue: '2026-10-01',
    dateValid,
    reportingArea: 'Metropolitan Washington',
    reportingAreaCode: 'dc001',
    stateCode: 'DC',
    parameterName,
    aqi,
    categoryNumber,
    categoryName,
    actionDay: false,
    discussion: '',
    forecastAgency: 'Metropolitan Washington Council of Governments',
  });
  return {
    zip: '20002',
    latitude: 38.919,
    longitude: -77.013,
    observations: [obs('OZONE', 33, 'Good'), obs('PM2.5', 54, 'Moderate'), obs('PM10', 12, 'Good')],
    forecasts: [fc('2026-10-01', 'OZONE', 41, 1, 'Good'), fc('2026-10-01', 'PM2.5', 52, 2, 'Moderate'), fc('2026-10-02', 'PM2.5', -1, 1, 'Good')],
  };
}

const CATEGORY_NUMBERS: Record<string, number> = { Good: 1, Moderate: 2, 'Unhealthy for Sensitive Groups': 3, Unhealthy: 4, 'Very Unhealthy': 5, Hazardous: 6 };

function legacyObservation(r: Record<string, unknown>): Record<string, unknown> {
  const name = String(r.aqiCategoryName ?? '');
  return {
    DateObserved: `${String(r.dateObserved)} `,
    HourObserved: Number.parseInt(String(r.hourObserved), 10),
    LocalTimeZone: r.localTimeZone,
    ReportingArea: r.reportingAreaName,
    StateCode: 'DC',
    Latitude: 38.919,
    Longitude: -77.013,
    ParameterName: r.parameterName === 'OZONE' ? 'O3' : r.parameterName,
    AQI: r.nowcastAQI,
    Category: { Number: CATEGORY_NUMBERS[name] ?? 7, Name: name || 'Unavailable' },
  };
}

function legacyForecast(r: Record<string, unknown>): Record<string, unknown> {
  return {
    DateIssue: r.dateIssue,
    DateForecast: `${String(r.dateValid)} `,
    ReportingArea: r.reportingArea,
    StateCode: r.stateCode,
    ParameterName: r.parameterName === 'OZONE' ? 'O3' : r.parameterName,
    AQI: r.aqi,
    Category: { Number: r.categoryNumber, Name: r.categoryName },
    ActionDay: r.actionDay,
    Discussion: r.discussion,
  };
}

const ROUTES: Record<string, { kind: 'observations' | 'forecasts'; legacy: boolean }> = {
  '/aq/observation/current/ziplatlong': { kind: 'observations', legacy: false },
  '/aq/forecast/current': { kind: 'forecasts', legacy: false },
  '/aq/observation/zipCode/current': { kind: 'observations', legacy: true },
  '/aq/observation/latLong/current': { kind: 'observations', legacy: true },
  '/aq/forecast/zipCode': { kind: 'forecasts', legacy: true },
  '/aq/forecast/latLong': { kind: 'forecasts', legacy: true },
};

function findLocation(locations: AirNowLocation[], p: Record<string, string>): AirNowLocation | undefined {
  if (p.zipCode) return locations.find((l) => l.zip === p.zipCode);
  const lat = Number(p.latitude);
  const lon = Number(p.longitude);
  if (!Number.isFinite(lat) || !Number.isFinite(lon)) return undefined;
  return locations.find((l) => l.latitude !== undefined && l.longitude !== undefined && Math.abs(l.latitude - lat) <= 0.5 && Math.abs(l.longitude - lon) <= 0.5);
}

function toCsv(rows: Record<string, unknown>[]): string {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => `"${String(typeof v === 'object' && v !== null ? JSON.stringify(v) : (v ?? '')).replace(/"/g, '""')}"`;
  return [keys.map(cell).join(','), ...rows.map((r) => keys.map((k) => cell(r[k])).join(','))].join('\n');
}

const envelope = (message: string, status: number): FakeReply => ({ status, body: { WebServiceError: [{ Message: message }] } });

/** What AirNow answers a request with the key `presented`, counting it against the key's hour. */
function reply(fake: FakeAirNow, counters: Map<string, { hour: number; count: number }>, path: string, params: Record<string, string>): FakeReply {
  const route = ROUTES[path.replace(/\/$/, '')];
  if (!route) return { status: 404, body: '<html><head><title>404 Not Found</title></head><body>Not Found</body></html>' };
  const presented = params.API_KEY;
  if (!presented) return envelope('Request not authenticated', fake.errorStatus);
  if (presented !== fake.key || (route.legacy && fake.retired)) return envelope('Invalid API key', fake.errorStatus);
  const hour = Math.floor(fake.now() / 3_600_000);
  const counter = counters.get(presented);
  const count = counter && counter.hour === hour ? counter.count + 1 : 1;
  counters.set(presented, { hour, count });
  if (count > fake.hourlyLimit) return envelope(AIRNOW_LIMIT_MESSAGE, fake.errorStatus);
  const place = findLocation(fake.locations, params);
  let rows = place ? place[route.kind] : [];
  if (route.legacy) rows = rows.map(route.kind === 'observations' ? legacyObservation : legacyForecast);
  if (params.format === 'text/csv') return { status: 200, body: toCsv(rows), headers: { 'content-type': 'text/csv' } };
  if (params.format !== 'application/json') return envelope('Invalid format', 400);
  return { status: 200, body: rows };
}

/** Starts the fake; `key` is the one it accepts. */
export async function startFakeAirNow(key = 'airnow-test-key-0123'): Promise<FakeAirNow> {
  const counters = new Map<string, { hour: number; count: number }>();
  let fake!: FakeAirNow; // the handler only runs once the fake is complete
  const base = await startHttpFake((req) => reply(fake, counters, req.path, Object.fromEntries(req.query)));
  const settings = { key, locations: [washingtonDc()], retired: true, errorStatus: 401, hourlyLimit: 500, now: Date.now, requestCount: () => base.requests.length };
  fake = Object.assign(base, settings);
  return fake;
}
