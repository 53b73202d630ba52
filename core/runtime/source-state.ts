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
 * Who a source's state reports to (its runner): log lines (the host's root logger with the
 * source's fields, not a child logger per source) and changes (the health cache's version).
 */
export interface StateOwner {
  stateLog(level: 'info' | 'warn' | 'error', fields: Record<string, unknown>, message: string): void;
  stateChanged(): void;
}

/**
 * Counts changes of what `GET /health` shows, so that its JSON is built once per change and not
 * per request. One per host, shared by its sources; every source also keeps its own count.
 */
export class ChangeCounter {
  value = 0;
  bump(): void {
    this.value += 1;
  }
}

/**
 * The state of one source. A change of (status, detail) is logged once, not at every poll
 * (Home Assistant's habit). Every change of a field is reported to the owner (the health cache's version).
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

  constructor(private readonly owner: StateOwner) {}

  set(status: Status, detail: StatusDetail, hint: string | null = null): void {
    const changed = status !== this.status || detail !== this.detail;
    if (changed || hint !== this.hint) this.owner.stateChanged();
    this.status = status;
    this.detail = detail;
    this.hint = hint;
    if (!changed) return;
    const fields = { status, status_detail: detail, ...(this.lastError && status !== 'healthy' ? { error: this.lastError.message } : {}) };
    this.owner.stateLog(status === 'error' ? 'error' : status === 'degraded' ? 'warn' : 'info', fields, 'source state changed');
  }

  recordError(message: string, httpStatus: number | undefined, at: number): void {
    this.lastError = { at: new Date(at).toISOString(), message, ...(httpStatus ? { http_status: httpStatus } : {}) };
    this.owner.stateChanged();
  }

  /** Logs each upstream warning once, when it first appears. */
  setWarnings(warnings: string[]): void {
    if (warnings.length === 0 && this.warnings.length === 0) return;
    for (const w of warnings) if (!this.warnings.includes(w)) this.owner.stateLog('warn', { warning: w }, 'upstream warning');
    this.warnings = warnings;
    this.owner.stateChanged();
  }
}
