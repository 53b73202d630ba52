import type { Point } from '../plugin-api/point.js';
import { toSlots, type Slot } from './signal.js';

/**
 * From a source's newest points to a planner signal (CONTRACT §4, §8):
 * - carbon: `carbon_intensity` points of the forecast (tag `series` absent or `forecast`), field
 *   `value`, in gCO2eq/kWh. WattTime writes pounds per MWh for `co2_moer` and `co2_aoer` (its
 *   points carry no unit tag: the signal type says it), converted × 0.45359237; a `unit` tag naming
 *   pounds is converted too. Other `co2_*` signals (NESO, Electricity Maps) are grams already. WattTime's `health_damage` is not carbon and is left out.
 * - price: `electricity_price` points, field `price_per_kwh`, with their `currency`.
 * A point's slot lasts its `resolution` tag (`PT15M`) when given, else the series' usual spacing.
 * A source with several series (regions, areas) gives the first in order of its tags.
 */

/** Pounds per MWh to grams per kWh: 453.59237 g / 1000 kWh. */
export const LB_PER_MWH_TO_G_PER_KWH = 0.45359237;

export interface SignalSeries {
  slots: Slot[];
  /** The newest point's time, ms. */
  newest: number | null;
  /** The usual slot length, ms. */
  resolutionMs: number | null;
  currency?: string | null;
}

interface Reading {
  time: number;
  value: number;
  resolutionMs?: number;
  group: string;
  currency?: string;
}

/** `PT15M`, `PT1H`, `PT60M` in ms; undefined for anything else. */
export function isoDurationMs(text: string | undefined): number | undefined {
  const m = text ? /^PT(?:(\d+)H)?(?:(\d+)M)?$/.exec(text) : null;
  if (!m || (!m[1] && !m[2])) return undefined;
  return (Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60_000;
}

/** A slot length as ISO 8601, in minutes as the price plugins write it (`PT60M`). */
export function isoResolution(ms: number | null): string | null {
  return ms === null ? null : `PT${Math.round(ms / 60_000)}M`;
}

/** Where a group of points comes from: its tags but for those that vary within one series. */
function groupOf(tags: Record<string, string>): string {
  const { series: _series, resolution: _resolution, ...rest } = tags;
  return JSON.stringify(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)));
}

/** WattTime's CO2 signals, in pounds per MWh (its points carry no unit tag). */
const WATTTIME_POUND_SIGNALS = new Set(['co2_moer', 'co2_aoer']);

/** The factor to gCO2eq/kWh of a carbon point, or undefined when it is not carbon intensity. */
function carbonFactor(tags: Record<string, string>): number | undefined {
  const unit = (tags.unit ?? tags.units ?? '').toLowerCase();
  if (unit.includes('lb')) return LB_PER_MWH_TO_G_PER_KWH;
  if (unit) return 1;
  const signal = tags.signal_type;
  if (signal === undefined) return 1;
  if (WATTTIME_POUND_SIGNALS.has(signal)) return LB_PER_MWH_TO_G_PER_KWH;
  // Other CO2 signals (NESO's co2_direct, Electricity Maps' co2_lifecycle) are in grams already.
  return signal.startsWith('co2_') ? 1 : undefined;
}

function carbonReading(p: Point): Reading | undefined {
  const tags = p.tags ?? {};
  if (p.measurement !== 'carbon_intensity' || (tags.series !== undefined && tags.series !== 'forecast')) return undefined;
  const factor = carbonFactor(tags);
  const value = p.fields.value;
  if (factor === undefined || typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  return { time: p.time.getTime(), value: value * factor, resolutionMs: isoDurationMs(tags.resolution), group: groupOf(tags) };
}

function priceReading(p: Point): Reading | undefined {
  const tags = p.tags ?? {};
  const value = p.fields.price_per_kwh;
  if (p.measurement !== 'electricity_price' || typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  return { time: p.time.getTime(), value, resolutionMs: isoDurationMs(tags.resolution), group: groupOf(tags), currency: tags.currency };
}

function series(points: readonly Point[], read: (p: Point) => Reading | undefined): SignalSeries {
  const readings = points.map(read).filter((r): r is Reading => r !== undefined && Number.isFinite(r.time));
  const groups = [...new Set(readings.map((r) => r.group))].sort();
  const chosen = readings.filter((r) => r.group === groups[0]);
  const slots = toSlots(chosen);
  const lengths = new Map<number, number>();
  for (const s of slots) lengths.set(s.end - s.start, (lengths.get(s.end - s.start) ?? 0) + 1);
  const usual = [...lengths].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? null;
  return {
    slots,
    newest: chosen.length > 0 ? Math.max(...chosen.map((r) => r.time)) : null,
    resolutionMs: usual,
    ...(read === priceReading ? { currency: chosen[0]?.currency ?? null } : {}),
  };
}

/** The carbon signal of a source's points, in gCO2eq/kWh. */
export function carbonSeries(points: readonly Point[]): SignalSeries {
  return series(points, carbonReading);
}

/** The price signal of a source's points, per kWh in their currency. */
export function priceSeries(points: readonly Point[]): SignalSeries {
  return series(points, priceReading);
}
