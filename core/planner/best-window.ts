/**
 * The planner's algorithm (CONTRACT §8): when to run a load of a given duration so that the
 * carbon intensity and the price over it are lowest, between now (or `not_before`) and a deadline.
 * Pure: the caller hands in the signals as slots and the clock as `now`.
 *
 * The requested range runs from max(now, not_before) to the deadline (by default the end of the
 * data of the weighted signal that ends first). Candidate starts lie on the 5-minute grid
 * (epoch-aligned) within it, and a window never ends after the deadline. Each signal is resampled
 * onto the grid by overlap; a window's value is the time-weighted average of each signal over it.
 *
 * Score of a window (lowest wins, ties to the earliest start), with w_s the weight of signal s and
 * min_s, max_s its lowest and highest value over the requested range:
 *
 *     score = Σ_s  w_s · (avg_s(window) − min_s) / (max_s − min_s)      (0 when max_s = min_s)
 *
 * Only windows that every signal with a weight above 0 covers with data are candidates: the planner
 * never plans on holes.
 */
import { isoSeconds } from '../runtime/iso-time.js';
import { bestContiguous, bestPieces } from './segments.js';
import { averageOver, dataEnd, resample, STEP_MS, type GridSignal, type Slot } from './signal.js';

export const SIGNAL_NAMES = ['carbon', 'price'] as const;
export type SignalName = (typeof SIGNAL_NAMES)[number];
export type PerSignal<T> = Partial<Record<SignalName, T>>;

/** The shortest piece of a plan in pieces: 15 minutes. */
export const MIN_PIECE_MS = 15 * 60_000;
/** Cells × needed cells × pieces × run states a plan in pieces may take (8 bytes each: 32 MB; 48 h, 8 h in 12 pieces takes 2.9 M). */
const MAX_PIECE_STATES = 4_000_000;

export interface PlanRequest {
  now: number;
  durationMs: number;
  /** Epoch ms; default the end of the data of the weighted signal that ends first. */
  deadline?: number;
  notBefore?: number;
  /** The weight of each signal given; a signal without a weight, or with 0, is not planned on. */
  weights: PerSignal<number>;
  contiguous: boolean;
  maxSegments: number;
}

export interface Interval {
  start: number;
  end: number;
}

export interface PlanResult {
  status: 'ok' | 'partial' | 'no_data';
  /** The requested range, when it could be told. */
  range: Interval | null;
  /** The plan's pieces, in order; empty with `no_data`. */
  segments: Interval[];
  /** Each signal's time-weighted average over the plan (signals that cover it). */
  expected: PerSignal<number>;
  /** Each signal's average over the same load started at once (signals that cover it). */
  now: PerSignal<number>;
  /** The fraction of the requested range each signal covers. */
  coverage: PerSignal<number>;
  /** Why there is no plan, or why it is partial. */
  message?: string;
}

/** Plans one load. `signals` holds each configured signal's slots (sorted), in its planning unit. */
export function planBestWindow(req: PlanRequest, signals: PerSignal<readonly Slot[]>): PlanResult {
  const present = SIGNAL_NAMES.filter((s) => signals[s] !== undefined);
  const weighted = present.filter((s) => (req.weights[s] ?? 0) > 0);
  const now = nowValues(req, signals, present);
  const empty = (message: string, range: Interval | null = null, coverage: PerSignal<number> = {}): PlanResult => ({
    status: 'no_data', range, segments: [], expected: {}, now, coverage, message,
  });
  if (weighted.length === 0) return empty('no signal with a weight above 0');
  const from = Math.max(req.now, req.notBefore ?? req.now);
  const ends = weighted.map((s) => dataEnd(signals[s]!));
  const to = req.deadline ?? (ends.includes(undefined) ? undefined : Math.min(...(ends as number[])));
  const missing = weighted.filter((s) => signals[s]!.length === 0);
  if (to === undefined || missing.length > 0) return empty(`no ${missing.join(' and ') || 'data'} data yet`);
  const range = { start: from, end: to };
  const coverage = coverageOf(range, signals, present);
  const origin = Math.ceil(from / STEP_MS) * STEP_MS;
  const cells = Math.max(0, Math.floor((to - origin) / STEP_MS));
  const k = Math.ceil(req.durationMs / STEP_MS);
  if (cells < k) return empty(`the range from ${isoSeconds(from)} to ${isoSeconds(to)} is shorter than the duration`, range, coverage);
  const grids: PerSignal<GridSignal> = {};
  for (const s of present) grids[s] = resample(signals[s]!, origin, cells);
  const { score, ok } = scores(grids, weighted, req.weights, cells);
  const pieces = choose(req, score, ok, k);
  if (typeof pieces === 'string') return empty(pieces, range, coverage);
  if (pieces.length === 0) return empty('no window lies where every weighted signal has data', range, coverage);
  const complete = weighted.every((s) => coverage[s]! >= 1 - 1e-9);
  return {
    status: complete ? 'ok' : 'partial',
    range,
    segments: toIntervals(pieces, origin, req),
    expected: expectedValues(grids, pieces),
    now,
    coverage,
    ...(complete ? {} : { message: 'some of the range has no data yet: the plan may change when it arrives' }),
  };
}

function coverageOf(range: Interval, signals: PerSignal<readonly Slot[]>, present: readonly SignalName[]): PerSignal<number> {
  const coverage: PerSignal<number> = {};
  const length = range.end - range.start;
  for (const s of present) coverage[s] = length > 0 ? Math.min(1, averageOver(signals[s]!, range.start, range.end).coveredMs / length) : 0;
  return coverage;
}

/** The load started at once: each signal that covers all of it. */
function nowValues(req: PlanRequest, signals: PerSignal<readonly Slot[]>, present: readonly SignalName[]): PerSignal<number> {
  const out: PerSignal<number> = {};
  for (const s of present) {
    const { average, coveredMs } = averageOver(signals[s]!, req.now, req.now + req.durationMs);
    if (coveredMs >= req.durationMs - 1) out[s] = average;
  }
  return out;
}

/** Each cell's score (see the module's formula) and whether every weighted signal covers it. */
function scores(grids: PerSignal<GridSignal>, weighted: readonly SignalName[], weights: PerSignal<number>, cells: number) {
  const score = new Float64Array(cells);
  const ok = new Uint8Array(cells).fill(1);
  for (const s of weighted) {
    const { values, full } = grids[s]!;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < cells; i++) {
      if (!full[i]) continue;
      min = Math.min(min, values[i]!);
      max = Math.max(max, values[i]!);
    }
    const span = max - min;
    const w = weights[s]!;
    for (let i = 0; i < cells; i++) {
      if (!full[i]) ok[i] = 0;
      else if (span > 0) score[i] = score[i]! + (w * (values[i]! - min)) / span;
    }
  }
  return { score, ok };
}

/** The chosen cells as [from, to) ranges, or why none can be chosen. */
function choose(req: PlanRequest, score: Float64Array, ok: Uint8Array, k: number): Array<[number, number]> | string {
  if (req.contiguous || req.maxSegments <= 1) {
    const at = bestContiguous(score, ok, k);
    return at < 0 ? [] : [[at, at + k]];
  }
  const minLength = Math.ceil(MIN_PIECE_MS / STEP_MS);
  const states = (score.length + 1) * (k + 1) * (req.maxSegments + 1) * (minLength + 1);
  if (states > MAX_PIECE_STATES) return 'a plan in pieces over this range is too large to compute: shorten the range, the duration or max_segments';
  return bestPieces(score, ok, k, req.maxSegments, minLength) ?? [];
}

/** Cells to times; a contiguous window lasts exactly the duration (which may end off the grid). */
function toIntervals(pieces: Array<[number, number]>, origin: number, req: PlanRequest): Interval[] {
  const out = pieces.map(([a, b]) => ({ start: origin + a * STEP_MS, end: origin + b * STEP_MS }));
  const last = out[out.length - 1]!;
  const extra = out.reduce((n, p) => n + p.end - p.start, 0) - req.durationMs;
  last.end -= extra;
  return out;
}

/** Each signal's average over the chosen cells, where it covers them all. */
function expectedValues(grids: PerSignal<GridSignal>, pieces: Array<[number, number]>): PerSignal<number> {
  const out: PerSignal<number> = {};
  for (const s of SIGNAL_NAMES) {
    const grid = grids[s];
    if (!grid) continue;
    let sum = 0;
    let count = 0;
    let whole = true;
    for (const [a, b] of pieces) {
      for (let i = a; i < b; i++) {
        whole &&= grid.full[i] === 1;
        sum += grid.values[i]!;
        count++;
      }
    }
    if (whole && count > 0) out[s] = sum / count;
  }
  return out;
}
