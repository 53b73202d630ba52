import type { Logger } from 'pino';
import type { ErrorRecord } from '../storage/storage.js';
import type { TokenState } from './token-manager.js';

export type Status = 'healthy' | 'degraded' | 'error' | 'unknown';
export type StatusDetail =
  | 'operational'
  | 'credentials_missing'
  | 'credentials_invalid'
  | 'access_denied'
  | 'rate_limited'
  | 'stale'
  | 'starting'
  | 'degraded'
  | 'error'
  | 'disabled';

/** One source's object in `GET /health` (CONTRACT §3), with extensions after the contract's fields. */
export interface SourceHealth extends TokenState {
  plugin: string;
  status: Status;
  status_detail: StatusDetail;
  credentials_configured: boolean;
  last_successful_fetch: string | null;
  consecutive_failures: number;
  last_error: ErrorRecord | null;
  last_written: string | null;
  next_run: string | null;
  // Extensions.
  title: string;
  schedule: string | null;
  /** What to do about the current state, in words. */
  hint: string | null;
  points_last_run: number;
  newest_point: string | null;
  warnings: string[];
  item_errors: { item: string; message: string }[];
  details: Record<string, unknown>;
}

/**
 * The state of one source. A change of (status, detail) is logged once, not at every poll
 * (Home Assistant's habit).
 */
export class SourceState {
  status: Status = 'unknown';
  detail: StatusDetail = 'starting';
  hint: string | null = null;
  lastSuccess: number | null = null;
  consecutiveFailures = 0;
  lastError: ErrorRecord | null = null;
  pointsLastRun = 0;
  newestPoint: number | null = null;
  warnings: string[] = [];
  itemErrors: { item: string; message: string }[] = [];
  details: Record<string, unknown> = {};
  /** Whether the source has finished a run (or settled without one: standby, disabled, error at load). */
  settled = false;

  constructor(private readonly logger: Logger) {}

  set(status: Status, detail: StatusDetail, hint: string | null = null): void {
    const changed = status !== this.status || detail !== this.detail;
    this.status = status;
    this.detail = detail;
    this.hint = hint;
    if (!changed) return;
    const fields = { status, status_detail: detail, ...(this.lastError && status !== 'healthy' ? { error: this.lastError.message } : {}) };
    if (status === 'error') this.logger.error(fields, 'source state changed');
    else if (status === 'degraded') this.logger.warn(fields, 'source state changed');
    else this.logger.info(fields, 'source state changed');
  }

  recordError(message: string, httpStatus: number | undefined, at: number): void {
    this.lastError = { at: new Date(at).toISOString(), message, ...(httpStatus ? { http_status: httpStatus } : {}) };
  }

  /** Logs each upstream warning once, when it first appears. */
  setWarnings(warnings: string[]): void {
    for (const w of warnings) if (!this.warnings.includes(w)) this.logger.warn({ warning: w }, 'upstream warning');
    this.warnings = warnings;
  }
}
