/**
 * Brute-force planners for the planner benchmark, written the naive way and apart from
 * core/planner: every window's averages taken afresh from the slots, every placement tried.
 * Same rules as CONTRACT §8: 5-minute grid from `origin`, each signal normalised over the range by
 * its lowest and highest 5-minute value, the weighted sum of normalised averages, lowest wins,
 * ties to the earliest start.
 */
import type { Slot } from '../../../core/planner/signal.js';

const STEP = 5 * 60_000;

export type Signals = Record<string, { slots: readonly Slot[]; weight: number }>;

/** The time-weighted average of the slots over [a, b); NaN unless they cover all of it. */
function average(slots: readonly Slot[], a: number, b: number): number {
  let weighted = 0;
  let covered = 0;
  for (const s of slots) {
    const overlap = Math.min(s.end, b) - Math.max(s.start, a);
    if (overlap <= 0) continue;
    weighted += overlap * s.value;
    covered += overlap;
  }
  return covered >= b - a - 1 ? weighted / covered : NaN;
}

/** Each signal's lowest and highest 5-minute value over the range. */
function spans(signals: Signals, origin: number, cells: number): Map<string, { min: number; span: number }> {
  const out = new Map<string, { min: number; span: number }>();
  for (const [name, { slots }] of Object.entries(signals)) {
    const values: number[] = [];
    for (let i = 0; i < cells; i++) values.push(average(slots, origin + i * STEP, origin + (i + 1) * STEP));
    const known = values.filter((v) => !Number.isNaN(v));
    out.set(name, { min: Math.min(...known), span: Math.max(...known) - Math.min(...known) });
  }
  return out;
}

/** The score of [a, b) in the planner's formula (lower is better); NaN where a signal has a hole. */
function score(signals: Signals, norm: Map<string, { min: number; span: number }>, a: number, b: number): number {
  let total = 0;
  for (const [name, { slots, weight }] of Object.entries(signals)) {
    const { min, span } = norm.get(name)!;
    const avg = average(slots, a, b);
    total += span > 0 ? (weight * (avg - min)) / span : Number.isNaN(avg) ? NaN : 0;
  }
  return total;
}

/** Every start of a `cellsLong` window: its averages taken afresh from the slots. The best start (ms) and its score. */
export function bruteContiguous(signals: Signals, origin: number, cells: number, cellsLong: number): { start: number; score: number } {
  const norm = spans(signals, origin, cells);
  let best = { start: -1, score: Infinity };
  for (let i = 0; i + cellsLong <= cells; i++) {
    const s = score(signals, norm, origin + i * STEP, origin + (i + cellsLong) * STEP);
    if (s < best.score - 1e-9) best = { start: origin + i * STEP, score: s };
  }
  return best;
}

/**
 * Every plan of one or two pieces, each at least `minCells` long, `cellsLong` cells in all: the
 * lowest sum of cell scores, each window's sum taken afresh.
 */
export function bruteTwoPieces(signals: Signals, origin: number, cells: number, cellsLong: number, minCells: number): number {
  const norm = spans(signals, origin, cells);
  const cell = Array.from({ length: cells }, (_, i) => score(signals, norm, origin + i * STEP, origin + (i + 1) * STEP));
  const sum = (from: number, length: number) => {
    let s = 0;
    for (let i = from; i < from + length; i++) s += cell[i]!;
    return s;
  };
  // A hole makes a sum NaN, which is never below the best.
  let best = Infinity;
  for (let i = 0; i + cellsLong <= cells; i++) {
    const s = sum(i, cellsLong);
    if (s < best) best = s;
  }
  for (let first = minCells; first <= cellsLong - minCells; first++) {
    const second = cellsLong - first;
    for (let a = 0; a + first <= cells; a++) {
      const head = sum(a, first);
      for (let b = a + first + 1; b + second <= cells; b++) {
        const s = head + sum(b, second);
        if (s < best) best = s;
      }
    }
  }
  return best;
}

/** A plan's sum of cell scores (what bruteTwoPieces minimises), from its pieces' times. */
export function piecesScore(signals: Signals, origin: number, cells: number, pieces: ReadonlyArray<{ start: number; end: number }>): number {
  const norm = spans(signals, origin, cells);
  return pieces.reduce((total, p) => total + score(signals, norm, p.start, p.end) * ((p.end - p.start) / STEP), 0);
}
