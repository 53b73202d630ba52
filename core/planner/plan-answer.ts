import { isoSeconds } from '../runtime/iso-time.js';
import type { PerSignal, PlanResult } from './best-window.js';

/** What the answer says about each signal's source. */
export interface SignalInfo {
  source: string;
  /** The newest point's time (ISO), null before the first run. */
  newest: string | null;
  /** ISO 8601 duration of the slots, e.g. `PT5M`. */
  resolution: string | null;
  /** Price only: the currency of the prices. */
  currency?: string | null;
}

/** The load's values at one time: intensities and, with an energy, grams and cost. */
export interface LoadValues {
  carbon_intensity: number | null;
  carbon_unit: 'gCO2eq/kWh';
  price_per_kwh: number | null;
  currency: string | null;
  co2_g: number | null;
  cost: number | null;
}

/** The JSON of `GET /api/planner/best-window` and `/api/planner/tasks/:name` (CONTRACT §8). */
export interface PlanAnswer {
  status: PlanResult['status'];
  start: string | null;
  end: string | null;
  segments: Array<{ start: string; end: string }>;
  expected: LoadValues;
  now: LoadValues;
  savings: { carbon_intensity_pct: number | null; price_pct: number | null; co2_g: number | null; cost: number | null };
  coverage: PerSignal<number>;
  signals: PerSignal<SignalInfo>;
  /** Extension: the requested range. */
  range: { start: string; end: string } | null;
  /** Extension: why there is no plan, or why it may change. */
  message?: string;
  generated_at: string;
}

const round = (value: number | null | undefined, digits: number): number | null =>
  value === null || value === undefined || !Number.isFinite(value) ? null : Math.round(value * 10 ** digits) / 10 ** digits;

function loadValues(values: PerSignal<number>, energyKwh: number | undefined, currency: string | null): LoadValues {
  const co2 = values.carbon !== undefined && energyKwh !== undefined ? values.carbon * energyKwh : undefined;
  const cost = values.price !== undefined && energyKwh !== undefined ? values.price * energyKwh : undefined;
  return {
    carbon_intensity: round(values.carbon, 1),
    carbon_unit: 'gCO2eq/kWh',
    price_per_kwh: round(values.price, 4),
    currency,
    co2_g: round(co2, 0),
    cost: round(cost, 2),
  };
}

/** How much lower the plan is than now, in percent of now; null when now is not above zero (negative prices). */
function percentLower(now: number | undefined, plan: number | undefined): number | null {
  if (now === undefined || plan === undefined || now <= 0) return null;
  return round(((now - plan) / now) * 100, 1);
}

function difference(now: number | undefined, plan: number | undefined, energyKwh: number | undefined, digits: number): number | null {
  if (now === undefined || plan === undefined || energyKwh === undefined) return null;
  return round((now - plan) * energyKwh, digits);
}

/** The answer for a plan: times in ISO (UTC), values rounded for reading, savings = now − plan. */
export function planAnswer(result: PlanResult, energyKwh: number | undefined, signals: PerSignal<SignalInfo>, generatedAt: number): PlanAnswer {
  const currency = signals.price?.currency ?? null;
  const first = result.segments[0];
  const last = result.segments[result.segments.length - 1];
  const { expected, now } = result;
  return {
    status: result.status,
    start: first ? isoSeconds(first.start) : null,
    end: last ? isoSeconds(last.end) : null,
    segments: result.segments.map((s) => ({ start: isoSeconds(s.start), end: isoSeconds(s.end) })),
    expected: loadValues(result.status === 'no_data' ? {} : expected, energyKwh, currency),
    now: loadValues(now, energyKwh, currency),
    savings: {
      carbon_intensity_pct: percentLower(now.carbon, expected.carbon),
      price_pct: percentLower(now.price, expected.price),
      co2_g: difference(now.carbon, expected.carbon, energyKwh, 0),
      cost: difference(now.price, expected.price, energyKwh, 2),
    },
    coverage: Object.fromEntries(Object.entries(result.coverage).map(([s, c]) => [s, round(c, 3)])),
    signals,
    range: result.range ? { start: isoSeconds(result.range.start), end: isoSeconds(result.range.end) } : null,
    ...(result.message ? { message: result.message } : {}),
    generated_at: isoSeconds(generatedAt),
  };
}
