import type { Logger } from 'pino';
import { cut } from '../logging/redactor.js';
import type { SourcePoint } from '../plugin-api/point.js';
import { BatchBuffer, batchOf, linesOf, mergeBatches, type LineBatch } from './line-batch.js';
import type { Precision } from './line-protocol.js';
import type { LineWriter } from './line-writer.js';
import type { Spool, SpooledBatch } from './spool.js';
import { reportSpoolOpen } from './spool-open-report.js';
import { StorageStatus } from './storage-status.js';
import type { Storage, StorageHealth } from './storage.js';
import { MAX_STORE_WAIT_MS, StorageWriteError, toWriteError } from './write-failure.js';

/**
 * Requests one batch may cost while the store rejects parts of it: finding one bad line among
 * 5,000 by halving takes about 27, so a few are found exactly; a store that rejects every line
 * costs this many, not twice the batch's lines. Past it, a rejected part is dropped whole.
 */
const MAX_REQUESTS_PER_BATCH = 64;

/** Lines of a batch the store rejected, while the batch is being written. */
interface Rejected {
  points: number;
  requests: number;
  /** The first line rejected, for the log. */
  first: string;
  err: StorageWriteError | null;
}

export interface BatchingStorageOptions {
  type: StorageHealth['type'];
  writer: LineWriter;
  spool: Spool;
  /** The precision the writer was opened with. */
  precision: Precision;
  /** Points per batch (CONTRACT default 5,000). */
  batchSize: number;
  /** Buffered points are flushed at least this often. */
  flushIntervalMs: number;
  logger: Logger;
  /** Write-ahead: every batch goes through the spool before the store (the benchmark's "forced spooling"). */
  spoolEverything?: boolean;
  /** Delay before the first retry after a failure, doubled up to `retryMaxMs`. Default 1 s and 30 s. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Batches held in memory when even the spool cannot take them; beyond, the oldest are dropped. */
  maxPendingBatches?: number;
  now?: () => Date;
  /** Makes a text fit for health and logs (the host's Redactor.brief: redacted, then cut to `max`). */
  brief?: (text: string, max?: number) => string;
}

/**
 * The storage: batches points (by size and by interval), writes each batch through a LineWriter,
 * and when the store cannot take it appends it to the durable spool before letting go of it.
 * While the spool holds anything, new batches queue behind it, so the store sees every point in
 * the order it was written (a re-fetched forecast must overwrite the older value, not the other
 * way round). A batch the store rejects as bad data (400) is split in halves until the bad lines
 * are found; only those are dropped and counted.
 *
 * Two loops run side by side: ingest (memory to the store, or to the spool) and replay (spool to
 * the store, oldest first). Ingest writes directly only while the spool is empty, which is also
 * exactly when replay is idle, so the two never write to the store at the same time; while the
 * spool fills, appending the next batch overlaps with replaying the previous one.
 */
export class BatchingStorage implements Storage {
  readonly type: StorageHealth['type'];
  private readonly o: Required<Omit<BatchingStorageOptions, 'now' | 'brief'>>;
  private readonly status: StorageStatus;
  private readonly brief: (text: string, max?: number) => string;
  private readonly buffer: BatchBuffer;
  /** Batches cut and waiting for ingest, oldest first. */
  private pending: LineBatch[] = [];
  private ingestChain: Promise<void> = Promise.resolve();
  private replaying: Promise<void> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryAt = 0;
  private failures = 0;
  private closing = false;
  /** The spool's last append failed: batches wait in memory, or go to the store once nothing spooled must go first. */
  private spoolFailing = false;

  constructor(options: BatchingStorageOptions) {
    this.type = options.type;
    this.o = { spoolEverything: false, retryMinMs: 1000, retryMaxMs: 30_000, maxPendingBatches: 100, ...options };
    this.brief = options.brief ?? cut;
    this.status = new StorageStatus(options.type, options.now, this.brief);
    this.buffer = new BatchBuffer(options.precision);
  }

  async start(): Promise<void> {
    await this.o.writer.open?.();
    // A spool that cannot be opened must not stop the host: the store is written directly.
    const report = await this.o.spool.open().catch((err: unknown) => {
      this.o.logger.error({ err }, 'spool: cannot open; writing to the store without it');
      return null;
    });
    if (report) reportSpoolOpen(report, this.o.logger, this.status);
    this.timer = setInterval(() => this.tick(), Math.min(this.o.flushIntervalMs, MAX_STORE_WAIT_MS));
    this.timer.unref();
    this.kick();
  }

  write(points: readonly SourcePoint[]): void {
    for (const p of points) {
      try {
        this.buffer.add(p);
      } catch (err) {
        this.dropUnwritable(p, err as Error);
        continue;
      }
      if (this.buffer.size >= this.o.batchSize) this.cut();
    }
    if (this.pending.length > 0) this.kick();
  }

  drop(sourceId: string, points: number, reason: string): void {
    this.status.recordDrop(points, `dropped ${points} points of ${sourceId}: ${reason}`);
  }

  lastWritten(sourceId: string): Date | null {
    return this.status.lastWritten(sourceId);
  }

  health(): StorageHealth {
    return this.status.health(this.o.spool.points, this.o.writer.diskBytes);
  }

  flush(): Promise<void> {
    this.cut();
    return this.ingest();
  }

  /** Resolves once the replay in progress stops: the spool is empty, or the store failed again. */
  async replayed(): Promise<void> {
    await this.ingestChain;
    await this.replaying;
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.timer);
    clearTimeout(this.retryTimer);
    await this.flush();
    await this.replaying;
    this.dropPending();
    await this.o.spool.close().catch((err: unknown) => this.o.logger.warn({ err }, 'spool: cannot close'));
    await this.o.writer.close();
  }

  private cut(): void {
    const batch = this.buffer.take();
    if (batch) this.pending.push(batch);
  }

  private tick(): void {
    this.cut();
    this.kick();
  }

  private kick(): void {
    if (this.pending.length > 0) void this.ingest();
    this.replay();
  }

  private waiting(): boolean {
    return Date.now() < this.retryAt;
  }

  /** One ingest at a time; a flush waits for the one in progress and then runs its own. */
  private ingest(): Promise<void> {
    const run = this.ingestChain.then(() => this.ingestPending());
    this.ingestChain = run.catch((err: unknown) => {
      this.o.logger.error({ err }, 'storage: unexpected failure while writing');
    });
    return this.ingestChain;
  }

  private async ingestPending(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending[0]!;
      const direct = this.o.spool.points === 0 && !this.waiting() && (!this.o.spoolEverything || this.spoolFailing);
      if (direct) {
        // One request at a time, so the store sees the batches in order; the points of the next
        // batches are serialised by write() while the store works on this one.
        const rest = await this.writeIsolating(batch);
        if (rest && !(await this.toSpool(rest))) {
          this.pending[0] = rest;
          return;
        }
      } else if (!(await this.toSpool(batch))) {
        // At shutdown the store is the last chance, even ahead of spooled points, rather than losing them.
        if (!this.closing || (await this.writeIsolating(batch))) return;
      } else {
        this.replay();
        // Let replay put the spooled batch on the wire before the next append.
        await new Promise((resolve) => setImmediate(resolve));
      }
      this.pending.shift();
    }
  }

  /** At shutdown: batches neither written nor spooled are counted and logged, never dropped silently. */
  private dropPending(): void {
    const points = this.pending.reduce((n, b) => n + b.count, 0);
    if (points === 0) return;
    this.status.recordDrop(points, `shutdown: ${points} points could be neither written nor spooled`);
    this.o.logger.error({ points, batches: this.pending.length }, 'storage: shutting down with points neither written nor spooled; they are lost');
    this.pending = [];
  }

  /** A point that cannot be written (no field, NaN, ...) is dropped and counted at once. */
  private dropUnwritable(p: SourcePoint, err: Error): void {
    this.status.recordDrop(1, `dropped a point of ${p.tags.source}: ${err.message}`);
    this.o.logger.warn({ source: p.tags.source, err: err.message }, 'storage: dropped a point that cannot be written');
  }

  /** Starts the replay loop unless it runs, or there is nothing to replay, or it must wait. */
  private replay(): void {
    if (this.replaying || this.o.spool.points === 0 || this.waiting() || this.closing) return;
    this.replaying = this.replayLoop()
      .catch((err: unknown) => this.o.logger.error({ err }, 'storage: unexpected failure while replaying the spool'))
      .finally(() => {
        this.replaying = null;
        // Batches held in memory while the spool failed go once replay has emptied it.
        if (this.pending.length > 0 && !this.closing) void this.ingest();
      });
  }

  /**
   * Oldest first, one request at a time. While the store works on a batch, the next one is read
   * from the spool and the one before is acknowledged (cursor file, removal of consumed segments),
   * so the store does not wait for the spool's file work between two requests.
   */
  private async replayLoop(): Promise<void> {
    const max = this.o.batchSize;
    let batch = await this.o.spool.peek(max);
    let acked: Promise<void> = Promise.resolve();
    let ackFailed = false;
    // The head moves on in memory; a restart may replay those points again, which InfluxDB overwrites.
    const ack = (b: SpooledBatch) =>
      this.o.spool.ack(b).catch((err: unknown) => {
        if (!ackFailed) this.o.logger.warn({ err }, 'spool: cannot record replay progress on disk; replaying on');
        ackFailed = true;
      });
    try {
      while (batch && !this.waiting() && !this.closing) {
        const next = this.o.spool.peek(max, batch.end);
        // A failure leaves the whole batch in the spool; lines written before it are written again
        // later, which InfluxDB takes as the same point.
        const failed = await this.writeIsolating(batch);
        await acked;
        if (failed) {
          await next.catch(() => null);
          return;
        }
        acked = ack(batch);
        batch = await next;
        if (!batch) {
          await acked; // points appended meanwhile are read from the head
          batch = this.o.spool.points > 0 ? await this.o.spool.peek(max) : null;
        }
      }
    } finally {
      await acked;
    }
  }

  /** Appends to the spool; false (batch kept in memory) when even the spool fails. */
  private async toSpool(batch: LineBatch): Promise<boolean> {
    try {
      const dropped = await this.o.spool.append(batch);
      if (dropped > 0) {
        this.status.recordDrop(dropped, `spool full: dropped the ${dropped} oldest points`);
        this.o.logger.warn({ dropped, spooled: this.o.spool.points }, 'spool full: dropped the oldest points');
      }
      if (this.spoolFailing) this.o.logger.info({ spooled: this.o.spool.points }, 'spool: appends succeed again');
      this.spoolFailing = false;
      return true;
    } catch (err) {
      // No retry timer: the store's backoff must not hold up replay or direct writes; the next
      // flush tries the spool again.
      const message = `cannot append to the spool: ${(err as { code?: string }).code ?? (err as Error).message}`;
      this.status.recordFailure('unavailable', message);
      if (!this.spoolFailing) this.o.logger.error({ err }, 'storage: cannot append to the spool; keeping points in memory');
      this.spoolFailing = true;
      while (this.pending.length > this.o.maxPendingBatches) {
        const lost = this.pending.shift()!;
        this.status.recordDrop(lost.count, `memory queue full: dropped ${lost.count} points`);
        this.o.logger.warn({ dropped: lost.count, queued_batches: this.pending.length }, 'storage: memory queue full while the spool fails; dropped the oldest batch');
      }
      return false;
    }
  }

  /**
   * Writes a batch; a rejected part is halved until single bad lines remain (within
   * MAX_REQUESTS_PER_BATCH), which are dropped. Returns null when everything was written or
   * dropped, else the lines still to write.
   */
  private async writeIsolating(batch: LineBatch): Promise<LineBatch | null> {
    const chunks: LineBatch[] = [batch];
    const rejected: Rejected = { points: 0, requests: 0, first: '', err: null };
    while (chunks.length > 0) {
      const chunk = chunks[0]!;
      rejected.requests += 1;
      try {
        await this.o.writer.write(chunk.body);
        chunks.shift();
        this.status.recordWrite(batch.sources, chunk.count);
        this.recovered();
      } catch (thrown) {
        const err = thrown instanceof StorageWriteError ? thrown : toWriteError(thrown, this.o.writer.where, []);
        if (err.failure !== 'rejected') {
          this.failed(err);
          this.dropRejected(batch, rejected);
          return chunks.length === 1 ? chunk : mergeBatches(chunks);
        }
        chunks.shift();
        const lines = linesOf(chunk);
        const half = lines.length >> 1;
        if (lines.length > 1 && rejected.requests < MAX_REQUESTS_PER_BATCH) {
          chunks.unshift(batchOf(lines.slice(0, half), batch.sources), batchOf(lines.slice(half), batch.sources));
        } else {
          rejected.points += lines.length;
          rejected.first ||= lines[0] ?? '';
          rejected.err = err;
        }
      }
    }
    this.dropRejected(batch, rejected);
    return null;
  }

  /** Counts and logs, once for the batch, the lines the store rejected; a batch rejected whole is an error. */
  private dropRejected(batch: LineBatch, rejected: Rejected): void {
    const { err, points } = rejected;
    if (!err) return;
    const message = `dropped ${points} of ${batch.count} points the store rejected: ${err.message}`;
    this.status.recordRejected(points, message, err.httpStatus, points === batch.count);
    this.o.logger.warn(
      { dropped: points, batch: batch.count, requests: rejected.requests, first_line: this.brief(rejected.first, 200), err: err.message, http_status: err.httpStatus },
      'storage: dropped lines the store rejected',
    );
  }

  private failed(err: StorageWriteError): void {
    const before = this.status.failure;
    this.status.recordFailure(err.failure, err.message, err.httpStatus);
    if (before !== err.failure) {
      this.o.logger.warn({ err: err.message, http_status: err.httpStatus }, 'storage: cannot write; keeping points in the spool and retrying');
    }
    this.failures += 1;
    this.scheduleRetry(err.retryAfterMs);
  }

  private recovered(): void {
    if (this.failures === 0) return;
    this.failures = 0;
    this.retryAt = 0;
    this.o.logger.info({ spooled: this.o.spool.points }, 'storage: writes succeed again');
  }

  private scheduleRetry(retryAfterMs?: number): void {
    const backoff = Math.min(this.o.retryMaxMs, this.o.retryMinMs * 2 ** Math.min(this.failures - 1, 16));
    // A Retry-After of 0 must not turn into a tight loop against a busy store, nor one of weeks overflow the timer.
    const delay = Math.min(MAX_STORE_WAIT_MS, Math.max(this.o.retryMinMs, retryAfterMs ?? backoff));
    this.retryAt = Date.now() + delay;
    clearTimeout(this.retryTimer);
    if (this.closing) return;
    this.retryTimer = setTimeout(() => {
      // A timer may fire a millisecond before Date.now() reaches retryAt: the wait is over now.
      this.retryAt = 0;
      this.kick();
    }, delay);
    this.retryTimer.unref();
  }
}
