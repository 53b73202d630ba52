import { mkdir, open, readdir, readFile, rm, truncate, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { mergeBatches, type LineBatch } from './line-batch.js';
import { fsyncDir, JsonFile } from './durable-file.js';
import { readRecords, RecentRecords, type SegmentFile } from './spool-reader.js';
import { encodeRecord, scanSegment, type DamagedRange } from './spool-record.js';

/** A place in the spool: a segment and a byte offset in it. */
export interface SpoolPosition {
  seq: number;
  offset: number;
}

/** Records read from the head of the spool; `ack` removes them. */
export interface SpooledBatch extends LineBatch {
  readonly start: SpoolPosition;
  readonly end: SpoolPosition;
  /** Points of the batch that lie in the end segment (to keep the head's count). */
  readonly endPoints: number;
}

export interface SpoolOptions {
  dir: string;
  /** Bound on the bytes waiting in the spool; the oldest segments go first. */
  maxBytes: number;
  /** Size at which a segment is sealed; default an eighth of `maxBytes`, 4 KiB to 16 MiB. */
  segmentBytes?: number;
}

/** What `open` found on disk. */
export interface SpoolOpenReport {
  points: number;
  /** Bytes after the last whole record of a segment (a crash mid-append), cut off. */
  tornBytes: number;
  /** Points (estimated from their lines) and bytes of damaged records, skipped. */
  damagedPoints: number;
  damagedBytes: number;
  /** Entries of the folder that are not readable segment files, left alone. */
  oddEntries: string[];
  /** True when `cursor.json` was unreadable or matched no record: replay starts at the first segment. */
  cursorIgnored: boolean;
}

interface Segment extends SegmentFile {
  points: number;
}

interface LoadedSegment {
  segment: Segment;
  /** Where the cursor puts the head in this segment, when it points here at a record boundary. */
  head: { offset: number; points: number } | null;
  damaged: DamagedRange[];
  tornBytes: number;
}

/** Names the spool itself keeps besides segments (the cursor, and its replacement being written). */
const KNOWN_ENTRIES = new Set(['cursor.json', 'cursor.json.tmp']);

const SUFFIX = '.spool';

/**
 * The durable outage buffer: append-only segment files of CRC-checked records, each append
 * fsynced before it returns. Replay reads from the head in order (`peek`, then `ack` once the
 * store took the points); the head is remembered in `cursor.json`, so a restart resumes where the
 * last run stopped (at worst re-sending one batch, which InfluxDB overwrites identically). The
 * bytes waiting are bounded: an append that would pass `maxBytes` first drops the oldest
 * segments and counts their points. A record torn by a crash (kill -9 mid-append) fails its CRC
 * and is cut off when the spool opens.
 *
 * Appends work at the tail (the last segment), replay at the head, and each end has its own queue,
 * so that replay does not wait for an append's fsync (measured: it made replay half as fast). An
 * append sees only whole records and the head side reads only records whose append finished, up
 * to the committed size of a segment. What touches both ends (open, close, emptying the spool,
 * dropping the oldest segments) holds both queues, always taken tail first.
 */
export class Spool {
  private readonly dir: string;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private segments: Segment[] = [];
  private head = { seq: 1, offset: 0, points: 0 };
  private nextSeq = 1;
  private active: FileHandle | null = null;
  private dropped = 0;
  private tailQueue: Promise<unknown> = Promise.resolve();
  private headQueue: Promise<unknown> = Promise.resolve();
  private readonly cursor: JsonFile<SpoolPosition>;
  private readonly recent = new RecentRecords();

  constructor(options: SpoolOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes;
    this.cursor = new JsonFile(path.join(options.dir, 'cursor.json'));
    this.segmentBytes = options.segmentBytes ?? Math.max(4096, Math.min(16 * 1024 * 1024, Math.floor(options.maxBytes / 8)));
  }

  /** Points waiting. */
  get points(): number {
    return this.segments.reduce((n, s) => n + s.points, 0) - this.head.points;
  }

  /** Bytes waiting (segment bytes after the head). */
  get bytes(): number {
    return this.segments.reduce((n, s) => n + s.size, 0) - this.head.offset;
  }

  /** Points dropped since start because the spool was full. */
  get droppedPoints(): number {
    return this.dropped;
  }

  /**
   * Reads what an earlier run left: validates every record, skips damaged ones, cuts torn tails,
   * applies the cursor. Entries that are not segments are left alone and reported.
   */
  open(): Promise<SpoolOpenReport> {
    return this.atBothEnds(async () => {
      await mkdir(this.dir, { recursive: true });
      const report: SpoolOpenReport = { points: 0, tornBytes: 0, damagedPoints: 0, damagedBytes: 0, oddEntries: [], cursorIgnored: false };
      const seqs = await this.listSegments(report.oddEntries);
      const cursor = await this.cursor.readStrict().catch(() => undefined);
      const loaded: LoadedSegment[] = [];
      for (const seq of seqs) {
        const one = await this.loadSegment(seq, cursor ?? null);
        if (one) loaded.push(one);
        else report.oddEntries.push(path.basename(this.fileOf(seq)));
      }
      const at = cursor ? loaded.findIndex((l) => l.segment.seq === cursor.seq && l.head) : -1;
      // A cursor that matches no record boundary is damaged: replay everything rather than delete.
      // (One before the first segment is not: its segments were removed, the cursor not yet moved.)
      report.cursorIgnored = cursor !== null && at < 0 && loaded.length > 0 && !(Number(cursor?.seq) < loaded[0]!.segment.seq);
      for (const consumed of loaded.splice(0, Math.max(0, at))) await rm(consumed.segment.file, { force: true }).catch(() => undefined);
      this.segments = loaded.map((l) => l.segment);
      const first = loaded[0];
      this.head = first ? { seq: first.segment.seq, offset: 0, points: 0, ...(at >= 0 ? first.head : null) } : this.head;
      for (const l of loaded) {
        report.tornBytes += l.tornBytes;
        // Damage before the head was behind the cursor already: replayed, or lost in an earlier run.
        for (const d of l.damaged.filter((r) => l !== first || r.to > this.head.offset)) {
          report.damagedPoints += d.points;
          report.damagedBytes += d.to - d.from;
        }
      }
      if (this.points === 0) await this.reset(() => undefined);
      report.points = this.points;
      return report;
    });
  }

  /** The sequence numbers of the segment files, in order; other entries go to `odd`. */
  private async listSegments(odd: string[]): Promise<number[]> {
    const seqs: number[] = [];
    for (const entry of await readdir(this.dir, { withFileTypes: true })) {
      const match = /^(\d+)\.spool$/.exec(entry.name);
      // Numbering goes on after any segment-like name, so that an append never collides with it.
      if (match) this.nextSeq = Math.max(this.nextSeq, Number(match[1]) + 1);
      if (match && entry.isFile()) seqs.push(Number(match[1]));
      else if (!KNOWN_ENTRIES.has(entry.name)) odd.push(entry.name);
    }
    return seqs.sort((a, b) => a - b);
  }

  /** Scans one segment file; null when it cannot be read. */
  private async loadSegment(seq: number, cursor: SpoolPosition | null): Promise<LoadedSegment | null> {
    const file = this.fileOf(seq);
    const buf = await readFile(file).catch(() => null);
    if (!buf) return null;
    const scan = scanSegment(buf);
    const skips = new Map(scan.damaged.filter((d) => d.to <= scan.validBytes).map((d) => [d.from, d.to]));
    // A torn or damaged tail is cut off; appends go to a new segment anyway, so a failure is harmless.
    if (buf.length > scan.validBytes) await truncate(file, scan.validBytes).catch(() => undefined);
    const segment: Segment = { seq, file, size: scan.validBytes, points: scan.points, skips };
    let head: LoadedSegment['head'] = null;
    if (cursor && cursor.seq === seq && Number.isInteger(cursor.offset) && cursor.offset <= scan.validBytes) {
      const done = scanSegment(buf.subarray(0, cursor.offset));
      const boundary = done.validBytes === cursor.offset || scan.damaged.some((d) => d.to === cursor.offset);
      if (done.tornBytes === 0 && boundary) head = { offset: cursor.offset, points: done.points };
    }
    return { segment, head, damaged: scan.damaged, tornBytes: scan.tornBytes };
  }

  /** Appends a batch durably (fsync). Returns the points dropped to make room. */
  append(batch: LineBatch): Promise<number> {
    return this.atTail(async () => {
      if (batch.count === 0) return 0;
      const record = encodeRecord(batch);
      const bytes = record.reduce((n, part) => n + part.length, 0);
      if (bytes > this.maxBytes) {
        this.dropped += batch.count;
        return batch.count;
      }
      let dropped = 0;
      if (this.segments.length > 0 && this.bytes + bytes > this.maxBytes) {
        dropped = await this.atHead(async () => {
          let lost = 0;
          while (this.segments.length > 0 && this.bytes + bytes > this.maxBytes) lost += await this.dropOldest();
          return lost;
        });
      }
      const handle = await this.activeFor(bytes);
      const seg = this.segments.at(-1)!;
      try {
        const { bytesWritten } = await handle.writev(record);
        if (bytesWritten !== bytes) throw Object.assign(new Error(`short write to the spool (${bytesWritten} of ${bytes} bytes)`), { code: 'ENOSPC' });
        await handle.datasync();
      } catch (err) {
        // Cut off a partial record, so that the next append starts where the whole records end.
        await handle.truncate(seg.size).catch(() => undefined);
        throw err;
      }
      this.recent.remember(seg.seq, seg.size, batch, bytes);
      seg.size += bytes;
      seg.points += batch.count;
      return dropped;
    });
  }

  /**
   * Reads whole records in order, up to about `maxPoints` (at least one record), from the head or,
   * to read ahead while an earlier batch is on its way, from `from` (that batch's `end`). Null when
   * there is nothing, or when `from` lies before the head (the spool dropped it meanwhile).
   */
  peek(maxPoints: number, from?: SpoolPosition): Promise<SpooledBatch | null> {
    return this.atHead(async () => {
      if (from && (from.seq < this.head.seq || (from.seq === this.head.seq && from.offset < this.head.offset))) return null;
      const batches: LineBatch[] = [];
      let pos: SpoolPosition = from ? this.following(from) : { seq: this.head.seq, offset: this.head.offset };
      const start = { ...pos };
      let points = 0;
      let endPoints = 0;
      for (const seg of this.segments) {
        if (seg.seq < pos.seq) continue;
        if (seg.seq > pos.seq) {
          pos = { seq: seg.seq, offset: 0 };
          endPoints = 0;
        }
        const read = await readRecords(seg, pos.offset, maxPoints - points, this.recent);
        if (read.damaged) seg.size = read.offset; // damaged since open: what follows cannot be trusted
        batches.push(...read.batches);
        points += read.points;
        endPoints += read.points;
        pos = { seq: seg.seq, offset: read.offset };
        if (points >= maxPoints) break;
      }
      if (batches.length === 0) return null;
      const merged = mergeBatches(batches);
      return { ...merged, start, end: pos, endPoints };
    });
  }

  /**
   * Where replay goes on after a batch that ended at `end`: the start of the next segment when it
   * ended its segment, which is where `ack` puts the head then (so that the batch read ahead from
   * there is the one the head expects).
   */
  private following(end: SpoolPosition): SpoolPosition {
    let pos = { ...end };
    for (let i = this.segments.findIndex((seg) => seg.seq === pos.seq); i >= 0 && i < this.segments.length - 1; i++) {
      if (pos.offset < this.segments[i]!.size) break;
      pos = { seq: this.segments[i + 1]!.seq, offset: 0 };
    }
    return pos;
  }

  /**
   * Removes a peeked batch (the store has it). A no-op when the spool dropped it meanwhile. The
   * head moves in memory whatever happens on disk; a failure to record it there (cursor, removal
   * of consumed segments) is thrown afterwards, and costs at most a replay again after a restart.
   */
  async ack(batch: SpooledBatch): Promise<void> {
    let failure: unknown = null;
    const keep = (err: unknown) => {
      failure ??= err;
    };
    const emptied = await this.atHead(async () => {
      if (batch.start.seq !== this.head.seq || batch.start.offset !== this.head.offset) return false;
      const sameSegment = batch.end.seq === this.head.seq;
      this.head = { seq: batch.end.seq, offset: batch.end.offset, points: sameSegment ? this.head.points + batch.endPoints : batch.endPoints };
      // Consumed segments are never the last one, the one appends go to.
      while (this.segments.length > 1 && this.segments[0]!.seq < this.head.seq) await this.removeFirst(keep);
      while (this.segments.length > 1 && this.head.offset >= this.segments[0]!.size) {
        await this.removeFirst(keep);
        this.head = { seq: this.segments[0]!.seq, offset: 0, points: 0 };
      }
      await this.cursor.write({ seq: this.head.seq, offset: this.head.offset }).catch(keep);
      return this.points === 0;
    });
    // Emptying touches the tail too: it waits for an append in progress, which may refill it.
    if (emptied) {
      await this.atBothEnds(async () => {
        if (this.points === 0) await this.reset(keep);
      });
    }
    if (failure) throw failure;
  }

  /** Closes the file in use; the spool stays on disk. */
  close(): Promise<void> {
    return this.atBothEnds(async () => {
      await this.active?.close();
      this.active = null;
    });
  }

  private atTail<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tailQueue.then(fn, fn);
    this.tailQueue = run.catch(() => undefined);
    return run;
  }

  private atHead<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.headQueue.then(fn, fn);
    this.headQueue = run.catch(() => undefined);
    return run;
  }

  private atBothEnds<T>(fn: () => Promise<T>): Promise<T> {
    return this.atTail(() => this.atHead(fn));
  }

  private fileOf(seq: number): string {
    return path.join(this.dir, `${String(seq).padStart(12, '0')}${SUFFIX}`);
  }

  /** The handle of the segment to append to: a fresh one once the current is full. */
  private async activeFor(bytes: number): Promise<FileHandle> {
    const last = this.segments.at(-1);
    if (this.active && last && last.size > 0 && last.size + bytes > this.segmentBytes) {
      await this.active.close();
      this.active = null;
    }
    if (this.active) return this.active;
    const seq = this.nextSeq++;
    const file = this.fileOf(seq);
    // A folder removed while the host runs is made again.
    this.active = await open(file, 'a').catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
      await mkdir(this.dir, { recursive: true });
      return open(file, 'a');
    });
    await fsyncDir(this.dir); // the new file's directory entry must survive a crash too
    this.segments.push({ seq, file, size: 0, points: 0, skips: new Map() });
    if (this.segments.length === 1) this.head = { seq, offset: 0, points: 0 };
    return this.active;
  }

  private async dropOldest(): Promise<number> {
    const seg = this.segments[0]!;
    const lost = seg.points - (seg.seq === this.head.seq ? this.head.points : 0);
    this.dropped += lost;
    await this.removeFirst((err) => {
      throw err;
    });
    const next = this.segments[0];
    this.head = { seq: next?.seq ?? this.nextSeq, offset: 0, points: 0 };
    if (next) await this.cursor.write({ seq: this.head.seq, offset: this.head.offset });
    return lost;
  }

  /** Forgets the first segment and removes its file; a failure to remove goes to `onError`. */
  private async removeFirst(onError: (err: unknown) => void): Promise<void> {
    const seg = this.segments.shift()!;
    if (this.segments.length === 0 && this.active) {
      await this.active.close().catch(onError);
      this.active = null;
    }
    await rm(seg.file, { force: true }).catch(onError);
  }

  /** Empty: no file left behind, numbering goes on. */
  private async reset(onError: (err: unknown) => void): Promise<void> {
    this.recent.clear();
    while (this.segments.length > 0) await this.removeFirst(onError);
    await this.active?.close().catch(onError);
    this.active = null;
    this.head = { seq: this.nextSeq, offset: 0, points: 0 };
    await this.cursor.remove().catch(onError);
  }

}
