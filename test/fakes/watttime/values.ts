/**
 * What the fake WattTime knows and serves: its regions, the plans of new accounts, its fixed
 * texts, and the values of every series as a function of region, signal and time, so that tests
 * can predict each point.
 */

export type WattTimeEndpoint = 'v3/forecast' | 'v3/historical';
/** One grant of an account: a region and signal, for some or (by default) all endpoints. */
export interface WattTimeAccess {
  region: string;
  signal_type: string;
  endpoints?: WattTimeEndpoint[];
}
export interface WattTimeWarning {
  type: string;
  message: string;
}
export interface Account {
  username: string;
  password: string;
  access: WattTimeAccess[];
}

/** A new account's access: CAISO_NORTH for co2_moer and health_damage (the SDK README). */
export const DEFAULT_ACCESS: readonly WattTimeAccess[] = [
  { region: 'CAISO_NORTH', signal_type: 'co2_moer' },
  { region: 'CAISO_NORTH', signal_type: 'health_damage' },
];
export const INVALID_SCOPE_MESSAGE =
  'Invalid scope. You do not have sufficient access to this resource. See https://https//watttime.org/docs-dev/data-plans/ for more information or email contact@watttime.org for pricing. Please note that all users are allowed free access to CAISO_NORTH.';
export const NGINX_403_PAGE =
  '<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n<center><h1>403 Forbidden</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/** Regions the fake covers, each with a [south, north, west, east] box for region-from-loc. */
export const FAKE_REGIONS: readonly { region: string; full_name: string; parent: string; box: readonly number[] }[] = [
  { region: 'CAISO_NORTH', full_name: 'California ISO Northern', parent: 'CAISO', box: [36, 42, -124.5, -119] },
  { region: 'PSCO', full_name: 'Public Service Co of Colorado', parent: 'PSCO', box: [37, 41, -109, -102] },
  { region: 'ISONE_WCMA', full_name: 'ISONE Western/Central Massachusetts', parent: 'ISONE', box: [41.9, 42.9, -73.5, -71.8] },
  { region: 'PJM_NJ', full_name: 'PJM New Jersey', parent: 'PJM', box: [38.9, 41.4, -75.6, -73.9] },
  { region: 'PJM_DC', full_name: 'PJM District of Columbia', parent: 'PJM', box: [38.79, 39, -77.12, -76.9] },
];

export const PERIOD_MS = 300_000;
export const DAY_MS = 86_400_000;
export const SIGNALS = ['co2_moer', 'co2_aoer', 'health_damage'];
export const ALL_ENDPOINTS: WattTimeEndpoint[] = ['v3/forecast', 'v3/historical'];
const LEVELS: Record<string, number> = { co2_moer: 900, co2_aoer: 650, health_damage: 45 };
// health_damage units are undocumented upstream; this string is the fake's own choice.
export const UNITS: Record<string, string> = { co2_moer: 'lbs_co2_per_mwh', co2_aoer: 'lbs_co2_per_mwh', health_damage: 'usd_per_mwh' };

function regionOffset(region: string): number {
  return [...region].reduce((sum, c) => sum + c.charCodeAt(0), 0) % 50;
}

function dayPhase(ms: number): number {
  return (((ms % DAY_MS) + DAY_MS) % DAY_MS / DAY_MS) * 2 * Math.PI;
}

/** The value the fake serves for a region, signal and point time (one decimal). */
export function fakeValue(region: string, signalType: string, time: Date | number): number {
  const ms = typeof time === 'number' ? time : time.getTime();
  const level = LEVELS[signalType] ?? 500;
  return Math.round((level + regionOffset(region) + level * 0.2 * Math.sin(dayPhase(ms))) * 10) / 10;
}

/** The signal-index percentile (0–100, whole) the fake serves for a region at a point time. */
export function fakeIndexValue(region: string, time: Date | number): number {
  const ms = typeof time === 'number' ? time : time.getTime();
  return Math.round(50 + 49 * Math.sin(dayPhase(ms) + regionOffset(region)));
}

/** A time as WattTime writes it: `2022-07-15T00:00:00+00:00`. */
export function wattTimeTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

export const floorPeriod = (ms: number) => Math.floor(ms / PERIOD_MS) * PERIOD_MS;

/** `count` points every 5 minutes from `fromMs`, valued by {@link fakeValue}. */
export function grid(region: string, signal: string, fromMs: number, count: number): { point_time: string; value: number }[] {
  return Array.from({ length: Math.max(0, count) }, (_, i) => {
    const t = fromMs + i * PERIOD_MS;
    return { point_time: wattTimeTime(t), value: fakeValue(region, signal, t) };
  });
}
