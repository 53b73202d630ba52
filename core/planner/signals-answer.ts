import { isoSeconds } from '../runtime/iso-time.js';
import { SIGNAL_NAMES, type PerSignal } from './best-window.js';
import type { SignalInfo } from './plan-answer.js';
import type { Slot } from './signal.js';

/** One signal over the horizon, as `GET /api/planner/signals` answers it. */
export interface SignalSlots extends SignalInfo {
  /** `gCO2eq/kWh` for carbon; `EUR/kWh` (the currency per kWh) for price. */
  unit: string;
  /** The slots that overlap the horizon, oldest first: each value holds over [start, end). */
  slots: Array<{ start: string; end: string; value: number }>;
}

/** The JSON of `GET /api/planner/signals` (an extension of CONTRACT §8, for the status page's chart). */
export interface SignalsAnswer {
  time_zone: string;
  from: string;
  to: string;
  signals: PerSignal<SignalSlots>;
}


/** Values rounded as the plan answers round them: carbon to 0.1 g, prices to 0.0001. */
const DIGITS = { carbon: 1, price: 4 } as const;

/** The slots of each signal that overlap [from, to), in the planner's units. */
export function signalsAnswer(slots: PerSignal<readonly Slot[]>, infos: PerSignal<SignalInfo>, from: number, to: number, zone: string): SignalsAnswer {
  const signals: PerSignal<SignalSlots> = {};
  for (const s of SIGNAL_NAMES) {
    const info = infos[s];
    if (!info) continue;
    const unit = s === 'carbon' ? 'gCO2eq/kWh' : info.currency ? `${info.currency}/kWh` : 'per kWh';
    const scale = 10 ** DIGITS[s];
    const shown = (slots[s] ?? []).filter((slot) => slot.end > from && slot.start < to);
    signals[s] = { ...info, unit, slots: shown.map((slot) => ({ start: isoSeconds(slot.start), end: isoSeconds(slot.end), value: Math.round(slot.value * scale) / scale })) };
  }
  return { time_zone: zone, from: isoSeconds(from), to: isoSeconds(to), signals };
}
