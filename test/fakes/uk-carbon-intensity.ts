import { startHttpFake, type FakeReply, type FakeRequest, type HttpFake } from './http-fake.js';

/**
 * NESO's Carbon Intensity API as ../shared/apis/carbon-sources.md describes it: no key, 30-minute
 * periods in UTC written `2026-12-05T07:00Z`. National: `/intensity` (the current period, with
 * `actual`), `/intensity/{from}/fw24h|fw48h|pt24h`, `/intensity/{from}/{to}` (`actual` null for
 * periods after `now`) and `/generation` (the current mix). Regional (forecast only, with the mix
 * per period): `/regional/regionid/{1-17}` and `/regional/postcode/{outward}` (`{"data":[region]}`)
 * and `/regional/intensity/{from}/fw24h|fw48h|pt24h/regionid/{id}|postcode/{pc}`
 * (`{"data":region}`). A bad time, region id or postcode answers 400 and an unknown path 404, both
 * as `{"error":{"code","message"}}` (the wording of these messages is an assumption).
 * Values are `fakeIntensity(regionId, time)` (0 = national), so a test can predict every point.
 */

const PERIOD_MS = 30 * 60_000;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$/;

/** NESO's 17 regions: id, DNO region, short name. */
export const REGIONS: readonly [number, string, string][] = [
  [1, 'Scottish Hydro Electric Power Distribution', 'North Scotland'],
  [2, 'SP Distribution', 'South Scotland'],
  [3, 'Electricity North West', 'North West England'],
  [4, 'NPG North East', 'North East England'],
  [5, 'NPG Yorkshire', 'Yorkshire'],
  [6, 'SP Manweb', 'North Wales & Merseyside'],
  [7, 'WPD South Wales', 'South Wales'],
  [8, 'WPD West Midlands', 'West Midlands'],
  [9, 'WPD East Midlands', 'East Midlands'],
  [10, 'UKPN East', 'East England'],
  [11, 'WPD South West', 'South West England'],
  [12, 'SSE South', 'South England'],
  [13, 'UKPN London', 'London'],
  [14, 'UKPN South East', 'South East England'],
  [15, 'England', 'England'],
  [16, 'Scotland', 'Scotland'],
  [17, 'Wales', 'Wales'],
];

/** Outward postcodes the fake places; any other well-formed one falls in a region by its letters. */
export const POSTCODES: Readonly<Record<string, number>> = { RG41: 12, BS16: 11, SW1A: 13, EH1: 2, CF10: 7, M1: 3 };

const FUELS = ['biomass', 'coal', 'imports', 'gas', 'nuclear', 'other', 'hydro', 'solar', 'wind'] as const;

/** The intensity (gCO2/kWh) of a region (0: Great Britain) in the period starting at `time`. */
export function fakeIntensity(regionId: number, time: number): number {
  const halfHour = Math.floor(time / PERIOD_MS) % 48;
  return Math.round(160 + 90 * Math.sin((2 * Math.PI * halfHour) / 48) + 7 * regionId);
}

/** The actual value of Great Britain's period: the forecast missed by a few grams. */
export function fakeActual(time: number): number {
  return fakeIntensity(0, time) - 4;
}

/** NESO's index word for an intensity (the 2026 bands are an assumption). */
export function fakeIndex(value: number): string {
  return value < 60 ? 'very low' : value < 140 ? 'low' : value < 220 ? 'moderate' : value < 300 ? 'high' : 'very high';
}

/** The mix of a period: wind follows the intensity down, gas takes the rest; sums to 100. */
export function fakeMix(regionId: number, time: number): { fuel: string; perc: number }[] {
  const wind = Math.round((Math.max(0, 300 - fakeIntensity(regionId, time)) / 3) * 10) / 10;
  const fixed: Record<string, number> = { biomass: 5.2, coal: 0, imports: 8.1, nuclear: 14.6, other: 0.4, hydro: 1.3, solar: 2.5, wind };
  const gas = Math.round((100 - Object.values(fixed).reduce((a, b) => a + b, 0)) * 10) / 10;
  return FUELS.map((fuel) => ({ fuel, perc: fuel === 'gas' ? gas : fixed[fuel]! }));
}

const neso = (time: number) => new Date(time).toISOString().slice(0, 16) + 'Z';
const error = (status: number, code: string, message: string): FakeReply => ({ status, body: { error: { code: `${status} ${code}`, message } } });
const badRequest = (message: string) => error(400, 'Bad Request', message);

export interface FakeUkCarbon extends HttpFake {
  /** The fake's clock: periods starting after it have no `actual`. */
  now: () => number;
}

export async function startFakeUkCarbon(options: { now?: () => number } = {}): Promise<FakeUkCarbon> {
  let fake!: FakeUkCarbon;
  const floor = (t: number) => Math.floor(t / PERIOD_MS) * PERIOD_MS;

  const period = (regionId: number, from: number, regional: boolean) => {
    const forecast = fakeIntensity(regionId, from);
    const intensity = regional
      ? { forecast, index: fakeIndex(forecast) }
      : { forecast, actual: from <= fake.now() ? fakeActual(from) : null, index: fakeIndex(forecast) };
    const base = { from: neso(from), to: neso(from + PERIOD_MS), intensity };
    return regional ? { ...base, generationmix: fakeMix(regionId, from) } : base;
  };

  /** The periods of a window (`fw24h`, `fw48h`, `pt24h` or an end time) from `fromText`. */
  const windowOf = (fromText: string, span: string): { start: number; count: number } | FakeReply => {
    if (!TIME.test(fromText)) return badRequest(`Please enter a valid ISO 8601 datetime (${fromText}), e.g. 2026-12-05T07:00Z`);
    const from = floor(Date.parse(fromText));
    const spans: Record<string, { start: number; count: number }> = {
      fw24h: { start: from, count: 48 },
      fw48h: { start: from, count: 96 },
      pt24h: { start: from - 48 * PERIOD_MS, count: 48 },
    };
    if (spans[span]) return spans[span];
    if (!TIME.test(span)) return error(404, 'Not Found', `No route for ${span}`);
    const count = Math.ceil((Date.parse(span) - from) / PERIOD_MS);
    return count > 0 ? { start: from, count } : badRequest('The end must be after the start');
  };

  const regionOf = (kind: string, value: string): [number, string, string, string?] | FakeReply => {
    if (kind === 'regionid') {
      const region = REGIONS.find(([id]) => String(id) === value);
      return region ?? badRequest('Please enter a valid region id between 1 and 17');
    }
    if (kind !== 'postcode') return error(404, 'Not Found', `No route for ${kind}`);
    const pc = value.toUpperCase();
    if (!/^[A-Z]{1,2}[0-9][A-Z0-9]?$/.test(pc)) return badRequest('Please enter a valid outward postcode, e.g. RG41');
    const id = POSTCODES[pc] ?? (pc.charCodeAt(0) % 14) + 1;
    const [, dno, name] = REGIONS[id - 1]!;
    return [id, dno, name, pc];
  };

  const regional = (kind: string, value: string, start: number, count: number) => {
    const found = regionOf(kind, value);
    if (!Array.isArray(found)) return found;
    const [regionid, dnoregion, shortname, postcode] = found;
    const data = Array.from({ length: count }, (_, i) => period(regionid, start + i * PERIOD_MS, true));
    return { regionid, dnoregion, shortname, ...(postcode ? { postcode } : {}), data };
  };

  const handle = (req: FakeRequest): FakeReply => {
    const parts = req.path.split('/').filter(Boolean).map(decodeURIComponent);
    if (req.method !== 'GET') return error(405, 'Method Not Allowed', 'GET only');
    const current = floor(fake.now());
    const [first, second, third, fourth, fifth, sixth] = parts;
    if (first === 'intensity' && parts.length === 1) return { status: 200, body: { data: [period(0, current, false)] } };
    if (first === 'generation' && parts.length === 1) {
      return { status: 200, body: { data: { from: neso(current), to: neso(current + PERIOD_MS), generationmix: fakeMix(0, current) } } };
    }
    if (first === 'intensity' && parts.length === 3) {
      const window = windowOf(second!, third!);
      if ('status' in window) return window;
      return { status: 200, body: { data: Array.from({ length: window.count }, (_, i) => period(0, window.start + i * PERIOD_MS, false)) } };
    }
    if (first === 'regional' && parts.length === 3) {
      const region = regional(second!, third!, current, 1);
      return 'status' in region ? region : { status: 200, body: { data: [region] } };
    }
    if (first === 'regional' && second === 'intensity' && parts.length === 6) {
      const window = windowOf(third!, fourth!);
      if ('status' in window) return window;
      const region = regional(fifth!, sixth!, window.start, window.count);
      return 'status' in region ? region : { status: 200, body: { data: region } };
    }
    return error(404, 'Not Found', `No route for ${req.path}`);
  };

  fake = Object.assign(await startHttpFake(handle), { now: options.now ?? (() => Date.now()) });
  return fake;
}
