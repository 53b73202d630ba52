import type { ErrorRecord } from '../storage/storage.js';
import type { TokenState } from './token-manager.js';
import { errorKind } from '../plugin-api/errors.js';
import type { NormalizedResult } from './run-result.js';

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

/** What the status policy needs of its source (its runner): log lines and the source's settings. */
export interface StatusOwner {
  stateLog(level: 'info' | 'warn' | 'error', fields: Record<string, unknown>, message: string): void;
  /** A message as health and logs keep it: secrets out, then its length bounded (Redactor.brief). */
  redact(text: string): string;
  /** An HTTP-client error (of the run, or of one item) as its typed error. */
  typed(err: unknown): Error;
  /** A rejected credential: the source forgets its token. */
  credentialsRefused(): void;
  readonly settings: StatusSettings;
}

/** The source's options the policy reads (see SourceRunner's constructor). */
export interface StatusSettings {
  /** `max_data_age`: newer points than this are expected, or the source is stale. */
  maxDataAgeMs: number | undefined;
  /** `error_after`: failures in a row before `degraded` becomes `error`. */
  errorAfter: number;
  /** `credentials_retry_after`: the wait after a credentials, access or config error. */
  longWaitMs: number;
}

/** The longest wait a rate limit can impose on a source. */
export const LONGEST_RATE_LIMIT_WAIT_MS = 86_400_000;

/**
 * The status policy of one source: what a run's outcome does to `status`, `status_detail`, the
 * failures in a row, `last_error` and when the next run may start (`blockedUntil`: backoff after
 * an error, Retry-After on a rate limit). A change of (status, detail) is logged once, not at
 * every poll (Home Assistant's habit).
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
  /** No run before this time (ms): a backoff after an error, or the upstream's Retry-After. */
  blockedUntil = 0;
  private rateLimitStreak = 0;
  /** The newest point not in the future seen so far (freshness). */
  private newestPast: number | null = null;

  constructor(private readonly owner: StatusOwner) {}

  set(status: Status, detail: StatusDetail, hint: string | null = null): void {
    const changed = status !== this.status || detail !== this.detail;
    this.status = status;
    this.detail = detail;
    this.hint = hint;
    if (!changed) return;
    const fields = { status, status_detail: detail, ...(this.lastError && status !== 'healthy' ? { error: this.lastError.message } : {}) };
    this.owner.stateLog(status === 'error' ? 'error' : status === 'degraded' ? 'warn' : 'info', fields, 'source state changed');
  }

  /** Keeps `message` redacted, then bounded: every kept message passes here (a cut first would leave a secret's prefix). */
  recordError(message: string, httpStatus: number | undefined, at: number): void {
    this.lastError = { at: new Date(at).toISOString(), message: this.owner.redact(message), ...(httpStatus ? { http_status: httpStatus } : {}) };
  }

  /** A run succeeded with `result`: healthy, or stale when its newest point is too old. */
  succeeded(result: NormalizedResult, now: number): void {
    const { redact } = this.owner;
    this.lastSuccess = now;
    this.consecutiveFailures = 0;
    this.rateLimitStreak = 0;
    this.blockedUntil = 0;
    this.pointsLastRun = result.points.length;
    if (result.newest !== null) this.newestPoint = result.newest;
    this.setWarnings(result.warnings.map((w) => redact(w)));
    if (result.errors.length > 0 || this.itemErrors.length > 0) {
      this.itemErrors = result.errors.map((e) => ({ item: e.item, message: redact(this.owner.typed(e.error).message) }));
    }
    this.details = result.details;
    const maxAge = this.owner.settings.maxDataAgeMs;
    if (result.newestPast !== null) this.newestPast = Math.max(this.newestPast ?? 0, result.newestPast);
    if (maxAge !== undefined && this.newestPast !== null && now - this.newestPast > maxAge) {
      const age = Math.round((now - this.newestPast) / 60_000);
      this.set('degraded', 'stale', `The newest point is ${age} min old; the upstream publishes more often than that`);
    } else {
      this.set('healthy', 'operational');
    }
  }

  /** A run failed with the typed error `err`: its kind chooses the state and the wait. */
  failed(err: Error, now: number): void {
    const { settings } = this.owner;
    this.recordError(err.message, (err as { httpStatus?: number }).httpStatus, now);
    this.consecutiveFailures += 1;
    switch (errorKind(err)) {
      case 'credentials':
        this.owner.credentialsRefused();
        this.blockedUntil = now + settings.longWaitMs;
        return this.set('error', 'credentials_invalid', 'Check the credentials; the source tries again in a while or when its config changes');
      case 'access':
        this.blockedUntil = now + settings.longWaitMs;
        return this.set('error', 'access_denied', 'The account may not read this; see the last error');
      case 'config':
        this.blockedUntil = now + settings.longWaitMs;
        return this.set('error', 'error', 'Fix the source in the config file');
      case 'rate_limit': {
        this.rateLimitStreak += 1;
        this.blockedUntil = now + this.rateLimitWait(err);
        return this.set('degraded', 'rate_limited', `Waiting until ${new Date(this.blockedUntil).toISOString()} as the upstream asked`);
      }
      default:
        if (this.consecutiveFailures >= settings.errorAfter) this.set('error', 'error');
        else this.set('degraded', 'degraded');
    }
  }

  /**
   * The upstream's Retry-After, at most a day (`Retry-After: 99999999999999` is a broken or
   * hostile upstream: the source asks again after a day); without one, a backoff doubling from a
   * minute to 30 minutes.
   */
  private rateLimitWait(err: Error): number {
    const retryAfter = (err as { retryAfterMs?: unknown }).retryAfterMs;
    if (typeof retryAfter === 'number' && Number.isFinite(retryAfter)) return Math.min(Math.max(0, retryAfter), LONGEST_RATE_LIMIT_WAIT_MS);
    return Math.min(30 * 60_000, 60_000 * 2 ** Math.min(this.rateLimitStreak - 1, 5));
  }

  /** Logs each upstream warning once, when it first appears. */
  private setWarnings(warnings: string[]): void {
    if (warnings.length === 0 && this.warnings.length === 0) return;
    for (const w of warnings) if (!this.warnings.includes(w)) this.owner.stateLog('warn', { warning: w }, 'upstream warning');
    this.warnings = warnings;
  }
}
