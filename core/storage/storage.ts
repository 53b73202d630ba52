import type { SourcePoint } from '../plugin-api/point.js';

/** An error as the health API shows it (CONTRACT §3): never a secret, never a URL with a key. */
export interface ErrorRecord {
  at: string;
  message: string;
  http_status?: number;
}

/** The `storage` block of `GET /health` (CONTRACT §3), plus extensions. */
export interface StorageHealth {
  type: 'influxdb' | 'local';
  status: 'healthy' | 'degraded' | 'error';
  spooled_points: number;
  dropped_points: number;
  last_write: string | null;
  last_error: ErrorRecord | null;
  /** Extension: of dropped_points, those the store rejected as bad data (HTTP 400, 413, 422). */
  rejected_points: number;
  /** Extension: points acknowledged by the store since start. */
  points_written: number;
  /** Extension: the local store's size on disk, in bytes (local store only). */
  disk_bytes?: number;
}

/**
 * Where the runtime hands points. `write` only enqueues: batching, the durable spool and retries
 * are the storage's business, and a write never throws at the caller.
 */
export interface Storage {
  readonly type: 'influxdb' | 'local';
  /** Opens the spool and starts replaying what an earlier run left in it. */
  start(): Promise<void>;
  /** Enqueues points (each carries its `source` tag). */
  write(points: readonly SourcePoint[]): void;
  /** Counts points of a source given up before they reached the storage (in `dropped_points`). */
  drop(sourceId: string, points: number, reason: string): void;
  /** When the latest points of a source were acknowledged by the store. */
  lastWritten(sourceId: string): Date | null;
  health(): StorageHealth;
  /** Writes everything buffered in memory (to the store, or to the spool when it is down). */
  flush(): Promise<void>;
  /** Flushes and stops timers; the spool keeps what could not be written. */
  close(): Promise<void>;
}
