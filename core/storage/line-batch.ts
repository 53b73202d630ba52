import { DataError } from '../plugin-api/errors.js';
import type { SourcePoint } from '../plugin-api/point.js';
import { pointToLine, type Precision } from './line-protocol.js';

/**
 * The times a store can hold: InfluxDB keeps nanoseconds in a signed 64-bit integer, 1677-09-21 to
 * 2262-04-11. A time outside is a plugin's mistake (a year 275760 would make a `+275760-09.lp` day file).
 */
const EARLIEST_MS = -9_223_372_036_854;
const LATEST_MS = 9_223_372_036_854;

/**
 * Lines of line protocol on their way to the store, joined with `\n` into one UTF-8 body, with
 * the sources they came from (so that a source's `last_written` moves when the store acknowledges
 * them). One buffer rather than an array of lines or a string: a batch may wait in memory while
 * the store works on the one before (thousands of small strings that survive a while are what
 * makes garbage collection expensive), and the bytes go to the socket and to the spool as they
 * are, without being decoded and encoded again.
 */
export interface LineBatch {
  readonly body: Buffer;
  /** Number of lines (points) in the body. */
  readonly count: number;
  /** Distinct source ids of the lines. */
  readonly sources: string[];
}

/** A batch of the given lines. */
export function batchOf(lines: readonly string[], sources: string[]): LineBatch {
  return { body: Buffer.from(lines.join('\n'), 'utf8'), count: lines.length, sources };
}

/** The lines of a batch (for the rare paths that need them one by one). */
export function linesOf(batch: LineBatch): string[] {
  return batch.count === 0 ? [] : batch.body.toString('utf8').split('\n');
}

/** Bytes of encoding space a buffer starts with, and the most it keeps between batches. */
const INITIAL_BYTES = 256 * 1024;
const KEPT_BYTES = 8 * 1024 * 1024;

/**
 * Collects points until a batch is cut, serialising each one as it arrives (line-protocol.ts) into
 * a byte buffer. The points themselves are not kept: a batch
 * waiting for its turn is one buffer, not thousands of point objects and line strings, which is
 * what made garbage collection the largest cost of the sink under load
 * (measured with the storage benchmark's points: serialising on arrival into a buffer takes about
 * 3.5 µs of CPU per point, against 9 µs for holding the points and joining lines per batch).
 */
export class BatchBuffer {
  private buf = Buffer.allocUnsafe(INITIAL_BYTES);
  private bytes = 0;
  private lines = 0;
  private sources = new Set<string>();

  constructor(private readonly precision: Precision) {}

  /** Points (lines) collected. */
  get size(): number {
    return this.lines;
  }

  /** Serialises and adds a point; throws a DataError (adding nothing) for one that cannot be written. */
  add(point: SourcePoint): void {
    const ms = point.time instanceof Date ? point.time.getTime() : Number.NaN;
    if (ms < EARLIEST_MS || ms > LATEST_MS) {
      throw new DataError(`point of ${point.measurement} has a time a store cannot hold: ${point.time.toISOString()} (outside 1677-09-21 to 2262-04-11)`);
    }
    const line = pointToLine(point, this.precision);
    // A UTF-16 code unit takes at most 3 bytes in UTF-8; plus the separating newline.
    const room = line.length * 3 + 1;
    if (this.bytes + room > this.buf.length) this.grow(this.bytes + room);
    if (this.lines > 0) this.buf[this.bytes++] = 0x0a;
    this.bytes += this.buf.write(line, this.bytes, 'utf8');
    this.lines += 1;
    this.sources.add(point.tags.source);
  }

  /** Takes everything collected as one batch, or null when empty. */
  take(): LineBatch | null {
    if (this.lines === 0) return null;
    let body: Buffer;
    if (this.bytes * 2 >= this.buf.length) {
      // Mostly full (a batch cut by size): hand the bytes over as they are, encode into a new buffer.
      body = this.buf.subarray(0, this.bytes);
      this.buf = Buffer.allocUnsafe(this.buf.length > KEPT_BYTES ? INITIAL_BYTES : this.buf.length);
    } else {
      // A small batch (cut by the interval): copy it out rather than keep a mostly empty buffer alive.
      body = Buffer.allocUnsafe(this.bytes);
      this.buf.copy(body, 0, 0, this.bytes);
    }
    const batch: LineBatch = { body, count: this.lines, sources: [...this.sources] };
    this.bytes = 0;
    this.lines = 0;
    this.sources = new Set();
    return batch;
  }

  private grow(needed: number): void {
    let size = this.buf.length * 2;
    while (size < needed) size *= 2;
    const bigger = Buffer.allocUnsafe(size);
    this.buf.copy(bigger, 0, 0, this.bytes);
    this.buf = bigger;
  }
}

const NEWLINE = Buffer.from('\n');

/** Concatenates batches, keeping their order. */
export function mergeBatches(batches: readonly LineBatch[]): LineBatch {
  if (batches.length === 1) return batches[0]!;
  const parts: Buffer[] = [];
  for (const b of batches) {
    if (b.count === 0) continue;
    if (parts.length > 0) parts.push(NEWLINE);
    parts.push(b.body);
  }
  return {
    body: Buffer.concat(parts),
    count: batches.reduce((n, b) => n + b.count, 0),
    sources: [...new Set(batches.flatMap((b) => b.sources))],
  };
}
