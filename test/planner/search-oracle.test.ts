import { describe, expect, it } from 'vitest';
import { bestContiguous, bestPieces } from '../../core/planner/segments.js';

/** A small seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function series(rand: () => number, n: number) {
  const score = new Float64Array(n);
  const ok = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    // Few distinct values, so that ties are common; about one cell in eight is a hole.
    score[i] = Math.floor(rand() * 5) / 4;
    ok[i] = rand() < 0.875 ? 1 : 0;
  }
  return { score, ok };
}

/** The oracle: every candidate start, its window summed afresh; the first of the lowest wins. */
function bruteContiguous(score: Float64Array, ok: Uint8Array, k: number): { at: number; sum: number } {
  let best = { at: -1, sum: Infinity };
  for (let at = 0; at + k <= score.length; at++) {
    let sum = 0;
    let holes = false;
    for (let i = at; i < at + k; i++) {
      holes ||= !ok[i];
      sum += score[i]!;
    }
    if (!holes && sum < best.sum - 1e-9) best = { at, sum };
  }
  return best;
}

/** The oracle of plans in pieces: every subset of k cells, its runs counted and measured. */
function brutePieces(score: Float64Array, ok: Uint8Array, k: number, maxPieces: number, minLength: number): number {
  let best = Infinity;
  for (let mask = 0; mask < 1 << score.length; mask++) {
    let count = 0;
    let sum = 0;
    const runs: number[] = [];
    let run = 0;
    let valid = true;
    for (let i = 0; i <= score.length; i++) {
      const taken = i < score.length && (mask >> i) & 1;
      if (taken) {
        valid &&= ok[i] === 1;
        count++;
        sum += score[i]!;
        run++;
      } else if (run > 0) {
        runs.push(run);
        run = 0;
      }
    }
    if (!valid || count !== k || runs.length > maxPieces || runs.some((r) => r < Math.min(minLength, k))) continue;
    best = Math.min(best, sum);
  }
  return best;
}

const sumOf = (score: Float64Array, pieces: Array<[number, number]>) => pieces.reduce((s, [a, b]) => s + score.slice(a, b).reduce((x, y) => x + y, 0), 0);

describe('the searches against brute-force oracles on random series', () => {
  it('the O(n) sliding window finds the oracle’s window (same start, same sum) on 500 series', () => {
    const rand = random(20);
    for (let round = 0; round < 500; round++) {
      const n = 1 + Math.floor(rand() * 300);
      const k = 1 + Math.floor(rand() * Math.min(n, 40));
      const { score, ok } = series(rand, n);
      const oracle = bruteContiguous(score, ok, k);
      expect(bestContiguous(score, ok, k), `round ${round}, n ${n}, k ${k}`).toBe(oracle.at);
      // A plan in one piece is the contiguous window too.
      const one = bestPieces(score, ok, k, 1, 3);
      expect(one ? one[0]![0] : -1, `round ${round}: one piece`).toBe(oracle.at);
    }
  });

  it('plans in pieces reach the oracle’s lowest sum, within max pieces of at least 3 cells, on 300 series', () => {
    const rand = random(21);
    for (let round = 0; round < 300; round++) {
      const n = 4 + Math.floor(rand() * 11);
      const k = 1 + Math.floor(rand() * n);
      const maxPieces = 1 + Math.floor(rand() * 3);
      const { score, ok } = series(rand, n);
      const oracle = brutePieces(score, ok, k, maxPieces, 3);
      const pieces = bestPieces(score, ok, k, maxPieces, 3);
      if (oracle === Infinity) {
        expect(pieces, `round ${round}`).toBeNull();
        continue;
      }
      expect(pieces, `round ${round}`).not.toBeNull();
      expect(pieces!.length).toBeLessThanOrEqual(maxPieces);
      expect(pieces!.reduce((c, [a, b]) => c + b - a, 0)).toBe(k);
      for (const [a, b] of pieces!) {
        expect(b - a).toBeGreaterThanOrEqual(Math.min(3, k));
        for (let i = a; i < b; i++) expect(ok[i]).toBe(1);
      }
      expect(sumOf(score, pieces!)).toBeCloseTo(oracle, 9);
    }
  });
});
