import { cut } from '../logging/redactor.js';
import type { ErrorRecord, StorageHealth } from './storage.js';
import type { WriteFailure } from './write-failure.js';

/**
 * The storage's health bookkeeping: what was written and when, what was dropped, the last error,
 * and whether the store is failing now (`unavailable` makes the storage `degraded`, `refused`
 * makes it `error`, and so does a batch it rejected whole, until the next successful write).
 */
export class StorageStatus {
  private failing: WriteFailure | null = null;
  private lastError: ErrorRecord | null = null;
  private lastWrite: Date | null = null;
  private written = 0;
  private droppedPoints = 0;
  private rejectedPoints = 0;
  /** The last batch the store answered was rejected line by line, every one of them. */
  private rejectingAll = false;
  private readonly perSource = new Map<string, Date>();
  /** Bumped by every change `health` shows; with the spool's count it keys the cached answer. */
  private version = 0;
  private cached: { version: number; spooled: number; diskBytes?: number; health: Readonly<StorageHealth> } | null = null;

  constructor(
    private readonly type: StorageHealth['type'],
    private readonly now: () => Date = () => new Date(),
    /** Makes a message fit for health: the host's Redactor.brief (redacted, then bounded); by default only bounded. */
    private readonly brief: (message: string) => string = cut,
  ) {}

  /** The failure the store is in, or null while writes succeed. */
  get failure(): WriteFailure | null {
    return this.failing;
  }

  /** The store acknowledged `points` points of these sources. */
  recordWrite(sources: readonly string[], points: number): void {
    const at = this.now();
    this.version++;
    this.lastWrite = at;
    this.written += points;
    for (const s of sources) this.perSource.set(s, at);
    this.failing = null;
    this.rejectingAll = false;
  }

  /** A write failed; `rejected` lines do not change the store's state, only the last error. */
  recordFailure(failure: WriteFailure, message: string, httpStatus?: number): void {
    if (failure !== 'rejected') this.failing = failure;
    this.version++;
    this.setError(message, httpStatus);
  }

  /** Points were dropped (spool full, a bad line, a point that cannot be serialised). */
  recordDrop(points: number, message: string, httpStatus?: number): void {
    this.droppedPoints += points;
    this.version++;
    this.setError(message, httpStatus);
  }

  /** The store rejected points as bad data; `wholeBatch` when it took none of the batch. */
  recordRejected(points: number, message: string, httpStatus: number | undefined, wholeBatch: boolean): void {
    this.rejectedPoints += points;
    if (wholeBatch) this.rejectingAll = true;
    this.recordDrop(points, message, httpStatus);
  }

  lastWritten(sourceId: string): Date | null {
    return this.perSource.get(sourceId) ?? null;
  }

  /**
   * The storage block of `/health`. The same (frozen) object until something in it changes, so
   * `/health`, asked many times a second, can tell by identity that its cached JSON still holds.
   */
  health(spooledPoints: number, diskBytes?: number): Readonly<StorageHealth> {
    const c = this.cached;
    if (c && c.version === this.version && c.spooled === spooledPoints && c.diskBytes === diskBytes) return c.health;
    const health = Object.freeze(this.build(spooledPoints, diskBytes));
    this.cached = { version: this.version, spooled: spooledPoints, diskBytes, health };
    return health;
  }

  private build(spooledPoints: number, diskBytes: number | undefined): StorageHealth {
    let status: StorageHealth['status'] = 'healthy';
    if (this.failing === 'refused' || this.rejectingAll) status = 'error';
    else if (this.failing === 'unavailable' || spooledPoints > 0) status = 'degraded';
    return {
      type: this.type,
      status,
      spooled_points: spooledPoints,
      dropped_points: this.droppedPoints,
      rejected_points: this.rejectedPoints,
      last_write: this.lastWrite?.toISOString() ?? null,
      last_error: this.lastError,
      points_written: this.written,
      ...(diskBytes === undefined ? {} : { disk_bytes: diskBytes }),
    };
  }

  private setError(message: string, httpStatus?: number): void {
    this.lastError = { at: this.now().toISOString(), message: this.brief(message), ...(httpStatus === undefined ? {} : { http_status: httpStatus }) };
  }
}
