/**
 * The two searches of the planner over grid cells with a score each (lower is better), where only
 * cells marked `ok` (every weighted signal has data) may be used. Ties go to the earliest cells.
 */

/** Scores closer than this per cell count as equal: sums of floats differ in their last bits. */
const TIE = 1e-9;

/**
 * The start of the best run of `k` consecutive ok cells, or -1: one pass with a sliding sum, O(n).
 * A window replaces the best only when clearly lower, so the earliest of equal windows stays.
 */
export function bestContiguous(score: Float64Array, ok: Uint8Array, k: number): number {
  let sum = 0;
  let holes = 0;
  let best = Infinity;
  let at = -1;
  for (let i = 0; i < score.length; i++) {
    if (ok[i]) sum += score[i]!;
    else holes++;
    const out = i - k;
    if (out >= 0) {
      if (ok[out]) sum -= score[out]!;
      else holes--;
    }
    if (out >= -1 && holes === 0 && sum < best - TIE * k) {
      best = sum;
      at = i - k + 1;
    }
  }
  return at;
}

/** States of a cell in a plan in pieces: not in a piece, or in one of length 1, 2, …, ≥ minLength. */
const FREE = 0;

/**
 * The best `k` ok cells in at most `maxPieces` runs, each at least `minLength` cells long (the
 * last, shorter pieces would wear a heat pump or a washer), as half-open [from, to) cell ranges;
 * null when none exists. Dynamic programming from the last cell back: best(i, need, pieces, run)
 * is the lowest score of the rest of a plan from cell i; then the plan is read from the first cell
 * on, taking a cell whenever taking it is as good as leaving it, which prefers the earliest cells.
 * O(n · k · maxPieces · minLength) time and memory.
 */
export function bestPieces(score: Float64Array, ok: Uint8Array, k: number, maxPieces: number, minLength: number): Array<[number, number]> | null {
  const n = score.length;
  const L = Math.max(1, Math.min(minLength, k));
  const dims = { need: k + 1, pieces: maxPieces + 1, run: L + 1 };
  const perCell = dims.need * dims.pieces * dims.run;
  const table = new Float64Array((n + 1) * perCell);
  const index = (i: number, need: number, pieces: number, run: number) => ((i * dims.need + need) * dims.pieces + pieces) * dims.run + run;
  const canStop = (run: number) => run === FREE || run === L;
  for (let i = n; i >= 0; i--) {
    for (let need = 0; need <= k; need++) {
      for (let pieces = 0; pieces <= maxPieces; pieces++) {
        for (let run = 0; run <= L; run++) table[index(i, need, pieces, run)] = stateCost(i, need, pieces, run);
      }
    }
  }
  function stateCost(i: number, need: number, pieces: number, run: number): number {
    if (need === 0) return canStop(run) ? 0 : Infinity;
    if (i === n) return Infinity;
    const skip = canStop(run) ? table[index(i + 1, need, pieces, FREE)]! : Infinity;
    return Math.min(skip, takeCost(i, need, pieces, run));
  }
  function takeCost(i: number, need: number, pieces: number, run: number): number {
    if (!ok[i] || (run === FREE && pieces === 0)) return Infinity;
    const next = run === FREE ? index(i + 1, need - 1, pieces - 1, 1 === L ? L : 1) : index(i + 1, need - 1, pieces, Math.min(run + 1, L));
    return score[i]! + table[next]!;
  }
  if (!Number.isFinite(table[index(0, k, maxPieces, FREE)]!)) return null;
  return readPlan(n, k, maxPieces, L, { table, index, takeCost, canStop });
}

interface Tables {
  table: Float64Array;
  index(i: number, need: number, pieces: number, run: number): number;
  takeCost(i: number, need: number, pieces: number, run: number): number;
  canStop(run: number): boolean;
}

/** Walks the table from the first cell, taking a cell when that is as good as the best: earliest cells win ties. */
function readPlan(n: number, k: number, maxPieces: number, L: number, t: Tables): Array<[number, number]> {
  const pieces: Array<[number, number]> = [];
  let [need, left, run] = [k, maxPieces, FREE];
  for (let i = 0; i < n && need > 0; i++) {
    const best = t.table[t.index(i, need, left, run)]!;
    const take = t.takeCost(i, need, left, run);
    if (take <= best + TIE * k) {
      if (run === FREE) {
        pieces.push([i, i + 1]);
        left--;
      } else pieces[pieces.length - 1]![1] = i + 1;
      run = run === FREE ? (L === 1 ? L : 1) : Math.min(run + 1, L);
      need--;
    } else run = FREE;
  }
  return pieces;
}
