import type { SourcePoint } from '../plugin-api/point.js';
import { pointToLine, type Precision } from './line-protocol.js';

/**
 * Lines of line protocol on their way to the store, joined with `\n` into one body, with the
 * sources they came from (so that a source's `last_written` moves when the store acknowledges
 * them). One flat string rather than an array of lines: a batch may wait in memory while the store
 * works on the one before, and thousands of small strings that survive a while are what makes
 * garbage collection expensive (measured: the largest cost of the sink under load).
 */
export interface LineBatch {
  readonly body: string;
  /** Number of lines (points) in the body. */
  readonly count: number;
  /** Distinct source ids of the lines. */
  readonly sources: string[];
}

/** A batch of the given lines. */
export function batchOf(lines: readonly string[], sources: string[]): LineBatch {
  return { body: lines.join('\n'), count: lines.length, sources };
}

/**
 * Serialises points into a batch. A point that cannot be written (no field, NaN, ...) is left out
 * and handed to `unwritable`.
 */
export function serializeBatch(points: readonly SourcePoint[], precision: Precision, unwritable: (p: SourcePoint, err: Error) => void): LineBatch {
  const lines: string[] = [];
  const sources = new Set<string>();
  for (const p of points) {
    try {
      lines.push(pointToLine(p, precision));
      sources.add(p.tags.source);
    } catch (err) {
      unwritable(p, err as Error);
    }
  }
  return batchOf(lines, [...sources]);
}

/** The lines of a batch (for the rare paths that need them one by one). */
export function linesOf(batch: LineBatch): string[] {
  return batch.count === 0 ? [] : batch.body.split('\n');
}

/** Points cut into a batch, serialised only when their turn to be written comes. */
export interface PointBatch {
  readonly points: SourcePoint[];
}

/** Collects points until a batch is cut. */
export class BatchBuffer {
  private points: SourcePoint[] = [];

  get size(): number {
    return this.points.length;
  }

  add(point: SourcePoint): void {
    this.points.push(point);
  }

  /** Takes everything collected as one batch, or null when empty. */
  take(): PointBatch | null {
    if (this.points.length === 0) return null;
    const batch = { points: this.points };
    this.points = [];
    return batch;
  }
}

/** Concatenates batches, keeping their order. */
export function mergeBatches(batches: readonly LineBatch[]): LineBatch {
  if (batches.length === 1) return batches[0]!;
  return {
    body: batches.map((b) => b.body).join('\n'),
    count: batches.reduce((n, b) => n + b.count, 0),
    sources: [...new Set(batches.flatMap((b) => b.sources))],
  };
}
