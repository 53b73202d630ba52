import { HttpError, RequestTimedOutError } from '@influxdata/influxdb-client';
import { StorageError } from '../plugin-api/errors.js';

/**
 * What a failed write means for the points:
 * - `unavailable`: the store cannot take them now (connection refused, timeout, 5xx, 429): spool, retry.
 * - `refused`: the store will not take them until someone acts (401/403/404 on the database):
 *   spool, retry slowly, health `error` with the server's message.
 * - `rejected`: the store refused these lines (400, 413, 422): split the batch to find the bad ones.
 */
export type WriteFailure = 'unavailable' | 'refused' | 'rejected';

/**
 * The longest the storage waits before it tries a store again, whatever the store asked for: a
 * Retry-After of weeks is a store's mistake, and past 2^31-1 ms (24.8 days) Node's timers fire
 * after 1 ms instead.
 */
export const MAX_STORE_WAIT_MS = 3_600_000;

/** A failed write, classified. The message never holds a secret. */
export class StorageWriteError extends StorageError {
  readonly failure: WriteFailure;
  /** The store's Retry-After, when it sent one. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { failure: WriteFailure; httpStatus?: number; retryAfterMs?: number; cause?: unknown }) {
    super(message, { retryable: options.failure !== 'rejected', httpStatus: options.httpStatus, cause: options.cause });
    this.failure = options.failure;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** The failure an HTTP status stands for. */
export function failureOfStatus(status: number): WriteFailure {
  if (status === 400 || status === 413 || status === 422) return 'rejected';
  if (status === 408 || status === 425 || status === 429 || status >= 500) return 'unavailable';
  return 'refused';
}

/** Network errors that mean "try again later". */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  'ENOTFOUND', 'ECONNABORTED', 'UND_ERR_SOCKET', 'ENOSPC', 'EIO', 'EMFILE', 'ENFILE', 'EBUSY', 'EAGAIN',
]);

/** Replaces every secret in a text (a server may echo a credential back). */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 3) out = out.split(s).join('***');
  return out;
}

/** The server's own message: InfluxDB 2 sends `{message}`, 1.x `{error}`, VictoriaMetrics text. */
function serverMessage(err: HttpError): string {
  const json = err.json as { message?: unknown; error?: unknown } | undefined;
  let text: unknown = json?.message ?? json?.error;
  if (typeof text !== 'string' && err.body) {
    try {
      const parsed = JSON.parse(err.body) as { message?: unknown; error?: unknown };
      text = parsed.message ?? parsed.error;
    } catch {
      // The client keeps the first 1,000 characters of a text body: a secret there may be cut short, its last word goes.
      text = err.body.length >= 1000 ? `${err.body.replace(/\S*$/, '')}…` : err.body;
    }
  }
  // Not cut here: a cut before redaction would leave a secret's prefix; StorageStatus bounds it after.
  return typeof text === 'string' && text.trim() !== '' ? text.trim() : (err.statusMessage ?? 'no message');
}

function retryAfterMs(err: HttpError): number | undefined {
  const raw = err.headers?.['retry-after'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isNaN(ms) ? undefined : Math.min(MAX_STORE_WAIT_MS, Math.max(0, ms));
}

/**
 * Maps whatever a write threw (the InfluxDB client's HttpError or timeout, a Node network error)
 * to a StorageWriteError. `where` names the store without credentials, e.g. `InfluxDB at http://h:8086`.
 */
export function toWriteError(err: unknown, where: string, secrets: readonly string[]): StorageWriteError {
  if (err instanceof StorageWriteError) return err;
  if (err instanceof HttpError) {
    const message = scrub(`${where} answered ${err.statusCode}: ${serverMessage(err)}`, secrets);
    return new StorageWriteError(message, { failure: failureOfStatus(err.statusCode), httpStatus: err.statusCode, retryAfterMs: retryAfterMs(err), cause: err });
  }
  if (err instanceof RequestTimedOutError) {
    return new StorageWriteError(`${where} did not answer in time`, { failure: 'unavailable', cause: err });
  }
  const code = (err as { code?: unknown } | null)?.code;
  const text = scrub(err instanceof Error ? err.message : String(err), secrets);
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) {
    return new StorageWriteError(`cannot reach ${where}: ${code}`, { failure: 'unavailable', cause: err });
  }
  return new StorageWriteError(`writing to ${where} failed: ${text}`, { failure: 'refused', cause: err });
}
