import type { Got } from 'got';
import type { Logger } from 'pino';
import type { ErrorClasses } from './errors.js';
import type { Point } from './point.js';

/** What a plugin's `create` receives: called once each time a source (re)starts. */
export interface CreateContext<O = Record<string, unknown>> {
  /** The source id from the config file (`sources.<id>`). */
  readonly sourceId: string;
  /** The source's options, validated against the plugin's schema, defaults applied. */
  readonly options: O;
  /** A child logger bound to this source; secrets are redacted at the root. */
  readonly logger: Logger;
  /** The typed error classes, for plugins that cannot import the plugin API. */
  readonly errors: ErrorClasses;
}

/**
 * What every hook that talks to the upstream receives. Pass it on as it is: `http`, `signal` and
 * `logger` are made on first use (a run's set-up stays a few microseconds), so a copy made with
 * `{ ...ctx }` does not carry them.
 */
export interface RunContext<O = Record<string, unknown>> extends CreateContext<O> {
  /** The credentials from the config, after `${VAR}` substitution. Never log them. */
  readonly credentials: Readonly<Record<string, string>>;
  /**
   * A `got` instance for the upstream: `prefixUrl` is the source's `base_url`, the credentials
   * (API key, bearer token) are applied, a 401 costs one re-login and one retry, transient
   * failures are retried with backoff, and every HTTP failure is mapped to a typed error.
   * Use paths without a leading slash (`v3/forecast`).
   */
  readonly http: Got;
  /** Aborted when the run's time budget (`timeout`) is spent or the host shuts down. */
  readonly signal: AbortSignal;
  /** When this source last fetched successfully (also across restarts, where storage knows). */
  readonly lastSuccess: Date | null;
  /**
   * When this run was due: its schedule's tick, the same on whichever host runs it when several
   * hosts share the sources (`scheduler.type: redis`); the start of a run on demand. A value "as of
   * now" stamped with it makes a repeated run of the same tick overwrite its points, not add to them.
   */
  readonly tick: Date;
}

/** What `login` and `refresh` receive: `http` here carries no token (it is being obtained). */
export type LoginContext<O = Record<string, unknown>> = RunContext<O>;

/** A bearer token and when it stops working. */
export interface TokenGrant {
  token: string;
  /** Absolute expiry. Else `expiresIn`, else the JWT `exp` claim, else the plugin's default lifetime. */
  expiresAt?: Date;
  /** Lifetime in seconds from now (OAuth `expires_in`). */
  expiresIn?: number;
}

/** One item of a run that failed while the rest succeeded (Telegraf's way: record it, go on). */
export interface ItemError {
  /** What failed, in a user's words: `region PJM_DC`, `forecast`. */
  item: string;
  error: Error;
}

/** What `fetch` returns; a bare `Point[]` is accepted too. */
export interface FetchResult {
  points: Point[];
  /** Items that failed; the run still counts as a success when some points came back. */
  errors?: ItemError[];
  /** Upstream warnings worth showing once (logged once, shown in health). */
  warnings?: string[];
  /** Plugin-specific facts for the health API (`details`), e.g. the resolved region. */
  details?: Record<string, unknown>;
}

/**
 * A running data source: one per configured source, made by the plugin's `create`.
 * The runtime calls the hooks; no two calls of one source overlap.
 */
export interface DataSource<O = Record<string, unknown>> {
  /**
   * Optional start-up check, run before the first fetch and after every (re)start: for example
   * that the account may read the configured region. Throw `AccessDeniedError` for what is not
   * allowed, `ConfigError` for options the upstream rejects.
   */
  validate?(ctx: RunContext<O>): Promise<void>;
  /**
   * Fetches the upstream once and returns its points. Called at start and on every schedule
   * tick. Throw typed errors (or let `ctx.http` throw them); return per-item errors for parts
   * that failed while others worked. Must honour `ctx.signal`.
   */
  fetch(ctx: RunContext<O>): Promise<FetchResult | Point[]>;
  /**
   * `login` credentials only: exchanges the credentials for a token. Throw `CredentialsError` when
   * the upstream refuses them; any other failure counts as transient. Called before the first
   * request, when the token is about to expire, and once after a 401.
   */
  login?(ctx: LoginContext<O>): Promise<TokenGrant>;
  /** Optional cheaper renewal of a still-valid token; falls back to `login` when absent. */
  refresh?(ctx: LoginContext<O>, current: TokenGrant): Promise<TokenGrant>;
  /**
   * Optional shaping of `/api/sources/:id/latest` from the last successful run's points
   * (a calendar answers the current and next events). Defaults to the newest point per series.
   */
  latest?(points: readonly Point[], now: Date): unknown;
  /** Releases what the source holds; called when it stops. */
  dispose?(): Promise<void> | void;
}
