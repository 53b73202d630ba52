/**
 * Typed errors of the plugin API. A plugin throws these (or lets the host map its HTTP errors into
 * them); the runtime reads `kind` to choose the source's state, so a plain-JavaScript plugin that
 * cannot import these classes may throw any Error whose `kind` property holds one of these names.
 *
 * Every message must be safe to show to a user: no secret, token or URL carrying a key.
 */

export type ErrorKind =
  | 'config'
  | 'credentials'
  | 'access'
  | 'upstream'
  | 'rate_limit'
  | 'data'
  | 'storage'
  | 'timeout';

/** Base of every typed error; `expose` says the message may reach a client (Koa's convention). */
export class HomeiqError extends Error {
  readonly kind: ErrorKind;
  readonly expose = true;
  /** The upstream's HTTP status, when the failure came from an HTTP answer. */
  readonly httpStatus?: number;

  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown; httpStatus?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.kind = kind;
    if (options?.httpStatus !== undefined) this.httpStatus = options.httpStatus;
  }
}

/** Bad configuration: a file, key path and expectation. The host exits with code 2 on these. */
export class ConfigError extends HomeiqError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('config', message, options);
  }
}

/**
 * The upstream refused the credentials (wrong password, revoked key, OAuth `invalid_grant`).
 * The source goes to `credentials_invalid` and stops calling the upstream until its config
 * changes or a long backoff passes.
 */
export class CredentialsError extends HomeiqError {
  constructor(message: string, options?: { cause?: unknown; httpStatus?: number }) {
    super('credentials', message, options);
  }
}

/** Credentials are fine but the plan or region does not allow this: `access_denied`. */
export class AccessDeniedError extends HomeiqError {
  constructor(message: string, options?: { cause?: unknown; httpStatus?: number }) {
    super('access', message, options);
  }
}

/** An upstream answered with an error or could not be reached. */
export class UpstreamError extends HomeiqError {
  /** Whether trying again later may succeed (5xx, timeouts, connection errors). */
  readonly retryable: boolean;
  constructor(message: string, options: { retryable: boolean; httpStatus?: number; cause?: unknown }) {
    super('upstream', message, options);
    this.retryable = options.retryable;
  }
}

/** The upstream asked us to slow down; the source waits `retryAfterMs` before its next run. */
export class RateLimitError extends HomeiqError {
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options?: { retryAfterMs?: number; httpStatus?: number; cause?: unknown }) {
    super('rate_limit', message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** The upstream's payload was not what the plugin expected; nothing of that run is written. */
export class DataError extends HomeiqError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('data', message, options);
  }
}

/** Writing to storage failed. */
export class StorageError extends HomeiqError {
  readonly retryable: boolean;
  constructor(message: string, options: { retryable: boolean; httpStatus?: number; cause?: unknown }) {
    super('storage', message, options);
    this.retryable = options.retryable;
  }
}

/** A run or request took longer than allowed. */
export class TimeoutError extends HomeiqError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('timeout', message, options);
  }
}

/** The error classes, also handed to plugins on their context for plain-JavaScript authors. */
export const errors = {
  ConfigError,
  CredentialsError,
  AccessDeniedError,
  UpstreamError,
  RateLimitError,
  DataError,
  StorageError,
  TimeoutError,
} as const;
export type ErrorClasses = typeof errors;

/** Reads the `kind` of any thrown value, typed or duck-typed. */
export function errorKind(err: unknown): ErrorKind | undefined {
  if (err instanceof HomeiqError) return err.kind;
  const kind = (err as { kind?: unknown } | null)?.kind;
  const known: ErrorKind[] = ['config', 'credentials', 'access', 'upstream', 'rate_limit', 'data', 'storage', 'timeout'];
  return typeof kind === 'string' && (known as string[]).includes(kind) ? (kind as ErrorKind) : undefined;
}
