import { AccessDeniedError } from '../../core/plugin-api/index.js';
import { PayloadReader } from './payload-reader.js';

/**
 * What a WattTime account may read: `/v3/my-access` (the "PYHypercube": signal types → regions →
 * endpoints → models), and the plain words for what it may not.
 */

/** The plan-restricted endpoints; signal-index, region-from-loc and my-access are open to all. */
export type PlanEndpoint = 'v3/forecast' | 'v3/historical';

/** The plugin's calls, as a user would name them in a message. */
export type WattTimeCall = 'forecast' | 'signal-index' | 'historical' | 'my-access' | 'region-from-loc';

export interface AccessModel {
  model: string;
  dataStart?: string;
  type?: string;
}

export interface AccessRegion {
  region: string;
  regionFullName: string;
  parent?: string;
  periodSeconds: number;
  endpoints: { endpoint: string; models: AccessModel[] }[];
}

export interface MyAccess {
  signalTypes: { signalType: string; regions: AccessRegion[] }[];
}

const WHAT: Record<WattTimeCall, string> = {
  forecast: 'forecasts',
  historical: 'historical data',
  'signal-index': 'the signal index',
  'my-access': 'account details',
  'region-from-loc': 'region lookups',
};

/**
 * The message for a call the plan does not cover, e.g. "your WattTime plan does not include
 * forecasts for PJM_DC; free accounts get CAISO_NORTH". The signal is named when it is not co2_moer.
 */
export function planMessage(call: WattTimeCall, region: string | undefined, signalType?: string): string {
  const signal = signalType && signalType !== 'co2_moer' ? ` (${signalType})` : '';
  const where = region ? ` for ${region}${signal}` : signal;
  return `your WattTime plan does not include ${WHAT[call]}${where}; free accounts get CAISO_NORTH`;
}

function readModel(r: PayloadReader, raw: unknown, path: string): AccessModel {
  const m = r.object(raw, path);
  const model: AccessModel = { model: r.string(m.model, `${path}.model`) };
  const dataStart = r.optional(m.data_start, `${path}.data_start`, r.string);
  const type = r.optional(m.type, `${path}.type`, r.string);
  if (dataStart) model.dataStart = dataStart;
  if (type) model.type = type;
  return model;
}

function readRegion(r: PayloadReader, raw: unknown, path: string): AccessRegion {
  const o = r.object(raw, path);
  const endpoints = r.array(o.endpoints, `${path}.endpoints`).map((e, i) => {
    const at = `${path}.endpoints[${i}]`;
    const endpoint = r.object(e, at);
    const models = r.array(endpoint.models, `${at}.models`).map((m, j) => readModel(r, m, `${at}.models[${j}]`));
    return { endpoint: r.string(endpoint.endpoint, `${at}.endpoint`), models };
  });
  const region: AccessRegion = {
    region: r.string(o.region, `${path}.region`),
    regionFullName: r.optional(o.region_full_name, `${path}.region_full_name`, r.string) ?? r.string(o.region, `${path}.region`),
    periodSeconds: r.number(o.data_point_period_seconds, `${path}.data_point_period_seconds`),
    endpoints,
  };
  const parent = r.optional(o.parent, `${path}.parent`, r.string);
  if (parent) region.parent = parent;
  return region;
}

/** Validates a `/v3/my-access` answer; unknown fields (`data_end`, `historical_model`) are dropped. */
export function parseMyAccess(body: unknown): MyAccess {
  const r = new PayloadReader('my-access');
  const root = r.body(body);
  const signalTypes = r.array(root.signal_types, 'signal_types').map((s, i) => {
    const o = r.object(s, `signal_types[${i}]`);
    const regions = r.array(o.regions, `signal_types[${i}].regions`).map((g, j) => readRegion(r, g, `signal_types[${i}].regions[${j}]`));
    return { signalType: r.string(o.signal_type, `signal_types[${i}].signal_type`), regions };
  });
  return { signalTypes };
}

/** Whether the account may call `endpoint` for this region and signal. */
export function canAccess(access: MyAccess, region: string, signalType: string, endpoint: PlanEndpoint): boolean {
  return access.signalTypes.some(
    (s) => s.signalType === signalType && s.regions.some((g) => g.region === region && g.endpoints.some((e) => e.endpoint === endpoint)),
  );
}

/** The regions the account may call `endpoint` for, for one signal. */
export function accessibleRegions(access: MyAccess, signalType: string, endpoint: PlanEndpoint): string[] {
  const regions = access.signalTypes
    .filter((s) => s.signalType === signalType)
    .flatMap((s) => s.regions.filter((g) => g.endpoints.some((e) => e.endpoint === endpoint)).map((g) => g.region));
  return [...new Set(regions)];
}

/**
 * For a `validate` hook: the {@link AccessDeniedError} for the first of `calls` the account may
 * not make for this region and signal, or undefined when all are allowed.
 */
export function accessProblem(access: MyAccess, region: string, signalType: string, calls: WattTimeCall[]): AccessDeniedError | undefined {
  for (const call of calls) {
    if (call !== 'forecast' && call !== 'historical') continue;
    if (!canAccess(access, region, signalType, `v3/${call}`)) return new AccessDeniedError(planMessage(call, region, signalType));
  }
  return undefined;
}
