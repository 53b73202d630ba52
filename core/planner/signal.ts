/**
 * A signal (carbon intensity or price) as the planner sees it: slots of time with one value each,
 * at whatever resolution the upstream gives (5, 15, 30, 60 minutes), and the same signal resampled
 * onto the planner's 5-minute grid. Pure functions, no I/O.
 */

/** The planner's grid: candidate starts and the unit of a non-contiguous plan. */
export const STEP_MS = 5 * 60_000;

/** One value in force over [start, end), epoch milliseconds. */
export interface Slot {
  start: number;
  end: number;
  value: number;
}

/** A signal on the grid: cell i is [origin + i·STEP, origin + (i+1)·STEP). */
export interface GridSignal {
  /** Time-weighted average of the slots over each cell (NaN where none overlaps). */
  values: Float64Array;
  /** Whether slots cover the whole cell: the planner never plans on a hole. */
  full: Uint8Array;
}

/**
 * Resamples slots (sorted, not overlapping) onto `cells` grid cells from `origin`: each slot
 * counts by its overlap with the cell. Each slot visits only the cells it overlaps: O(cells + slots).
 */
export function resample(slots: readonly Slot[], origin: number, cells: number): GridSignal {
  const weighted = new Float64Array(cells);
  const covered = new Float64Array(cells);
  const end = origin + cells * STEP_MS;
  for (const slot of slots) {
    const a = Math.max(slot.start, origin);
    const b = Math.min(slot.end, end);
    if (b <= a) continue;
    for (let i = Math.floor((a - origin) / STEP_MS); i < cells && origin + i * STEP_MS < b; i++) {
      const cellStart = origin + i * STEP_MS;
      const overlap = Math.min(b, cellStart + STEP_MS) - Math.max(a, cellStart);
      if (overlap <= 0) continue;
      weighted[i] = weighted[i]! + overlap * slot.value;
      covered[i] = covered[i]! + overlap;
    }
  }
  const values = new Float64Array(cells);
  const full = new Uint8Array(cells);
  for (let i = 0; i < cells; i++) {
    values[i] = covered[i]! > 0 ? weighted[i]! / covered[i]! : NaN;
    // A millisecond of slack for slots whose edges were rounded by a float.
    full[i] = covered[i]! >= STEP_MS - 1 ? 1 : 0;
  }
  return { values, full };
}

/** The time-weighted average of the slots over [a, b), and how many milliseconds of it they cover. */
export function averageOver(slots: readonly Slot[], a: number, b: number): { average: number; coveredMs: number } {
  let weighted = 0;
  let covered = 0;
  for (const slot of slots) {
    const overlap = Math.min(slot.end, b) - Math.max(slot.start, a);
    if (overlap <= 0) continue;
    weighted += overlap * slot.value;
    covered += overlap;
  }
  return { average: covered > 0 ? weighted / covered : NaN, coveredMs: covered };
}

/** The end of the last slot (the end of the data), or undefined without slots. */
export function dataEnd(slots: readonly Slot[]): number | undefined {
  return slots.length === 0 ? undefined : slots[slots.length - 1]!.end;
}

/**
 * Slots from points at `times` (sorted) with values: a point lasts `resolutionMs` when known, else
 * up to the next point; never past the next point, so a late point cannot overlap its successor,
 * and a gap longer than the resolution stays a hole.
 */
export function toSlots(points: ReadonlyArray<{ time: number; value: number; resolutionMs?: number }>): Slot[] {
  const sorted = [...points].sort((a, b) => a.time - b.time);
  const typical = typicalSpacing(sorted.map((p) => p.time));
  const slots: Slot[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i]!;
    if (i > 0 && sorted[i - 1]!.time === p.time) continue;
    const next = sorted[i + 1]?.time ?? Infinity;
    const length = p.resolutionMs ?? typical;
    if (length === undefined) continue;
    slots.push({ start: p.time, end: Math.min(p.time + length, next), value: p.value });
  }
  return slots;
}

/** The most common distance between successive times: a gap does not stretch the slots around it. */
function typicalSpacing(times: number[]): number | undefined {
  const counts = new Map<number, number>();
  for (let i = 1; i < times.length; i++) {
    const d = times[i]! - times[i - 1]!;
    if (d > 0) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let best: number | undefined;
  for (const [d, n] of counts) if (best === undefined || n > counts.get(best)! || (n === counts.get(best)! && d < best)) best = d;
  return best;
}
