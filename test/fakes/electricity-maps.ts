import { startHttpFake, type FakeReply, type FakeRequest, type HttpFake } from './http-fake.js';

/**
 * Electricity Maps API v3 as ../shared/apis/carbon-sources.md describes it: the `auth-token` header
 * (missing or unknown → 401 `{"error":"Invalid auth-token"}`, as upstream answers), the place as
 * `zone=` or `lat`/`lon` (a few zones by bounding box; elsewhere 404), `emissionFactorType`
 * `lifecycle` (default) or `direct`. `GET /v3/carbon-intensity/latest` (the current hour),
 * `/history` (the 24 hours before it), `/forecast` (hourly, `horizon_hours`, default 24). A token
 * reads only its plan's zones and, on the free tier, no forecast: both answer 403 with a message
 * naming the plan (the wording is an assumption). Values are `fakeCarbon(zone, time, type)`.
 */

const HOUR_MS = 3_600_000;
const ZONES: Record<string, [number, number, number, number]> = { DE: [47, 55, 6, 15], FR: [42, 51, -5, 8], GB: [50, 59, -8, 2] };

export interface TokenPlan {
  plan: 'free' | 'paid';
  zones: string[];
}

/** The intensity (gCO2eq/kWh) of a zone in the hour starting at `time`. */
export function fakeCarbon(zone: string, time: number, type = 'lifecycle'): number {
  const hour = Math.floor(time / HOUR_MS) % 24;
  const base = 300 + 120 * Math.sin((2 * Math.PI * hour) / 24) + zone.charCodeAt(0);
  return Math.round(type === 'direct' ? base * 0.8 : base);
}

const iso = (t: number) => new Date(t).toISOString();

export interface FakeElectricityMaps extends HttpFake {
  /** Grants `token` a plan (default: the free tier, zone DE). */
  addToken(token: string, plan?: TokenPlan): void;
}

export async function startFakeElectricityMaps(): Promise<FakeElectricityMaps> {
  const tokens = new Map<string, TokenPlan>();

  const zoneOf = (q: URLSearchParams): string | FakeReply => {
    const zone = q.get('zone');
    if (zone) return ZONES[zone] ? zone : { status: 400, body: { error: `Zone '${zone}' does not exist.` } };
    const [lat, lon] = [Number(q.get('lat')), Number(q.get('lon'))];
    if (q.get('lat') === null || q.get('lon') === null) return { status: 400, body: { error: 'Please provide a zone or lat and lon' } };
    const found = Object.entries(ZONES).find(([, [s, n, w, e]]) => lat >= s && lat <= n && lon >= w && lon <= e);
    return found ? found[0] : { status: 404, body: { error: `No zone found at lat ${lat}, lon ${lon}` } };
  };

  const entry = (zone: string, t: number, type: string) => ({
    zone,
    carbonIntensity: fakeCarbon(zone, t, type),
    datetime: iso(t),
    updatedAt: iso(t + 600_000),
    createdAt: iso(t - 3 * 86_400_000),
    emissionFactorType: type,
    isEstimated: true,
    estimationMethod: 'TIME_SLICER_AVERAGE',
  });

  const handle = (req: FakeRequest): FakeReply => {
    const plan = tokens.get(String(req.headers['auth-token'] ?? ''));
    if (!plan) return { status: 401, body: { error: 'Invalid auth-token' } };
    const route = /^\/v3\/carbon-intensity\/(latest|history|forecast)$/.exec(req.path)?.[1];
    if (!route) return { status: 404, body: { error: 'Not Found' } };
    const zone = zoneOf(req.query);
    if (typeof zone !== 'string') return zone;
    if (!plan.zones.includes(zone)) return { status: 403, body: { error: `Your plan (${plan.plan} tier) does not include zone ${zone}` } };
    const type = req.query.get('emissionFactorType') ?? 'lifecycle';
    const hour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
    if (route === 'latest') return { status: 200, body: entry(zone, hour, type) };
    if (route === 'history') return { status: 200, body: { zone, history: Array.from({ length: 24 }, (_, i) => entry(zone, hour - (23 - i) * HOUR_MS, type)) } };
    if (plan.plan === 'free') return { status: 403, body: { error: 'Your plan (free tier) does not include access to the forecast endpoint' } };
    const hours = Number(req.query.get('horizon_hours') ?? 24);
    const forecast = Array.from({ length: hours }, (_, i) => ({ carbonIntensity: fakeCarbon(zone, hour + (i + 1) * HOUR_MS, type), datetime: iso(hour + (i + 1) * HOUR_MS) }));
    return { status: 200, body: { zone, forecast, updatedAt: iso(hour) } };
  };

  return Object.assign(await startHttpFake(handle), {
    addToken: (token: string, plan: TokenPlan = { plan: 'free', zones: ['DE'] }) => void tokens.set(token, plan),
  });
}
