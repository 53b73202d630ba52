import type { Got } from 'got';
import type { Logger } from 'pino';
import type { SourceConfig } from '../config/types.js';
import type { DataSource, RunContext } from '../plugin-api/data-source.js';
import { errorKind, errors as errorClasses, TimeoutError } from '../plugin-api/errors.js';
import { parseDuration } from '../plugin-api/duration.js';
import type { Point, SourcePoint } from '../plugin-api/point.js';
import type { PluginDeclaration } from '../plugin-api/plugin.js';
import { isSecretField, type Redactor } from '../logging/redactor.js';
import { registerWriteOnlyOptions } from './secret-options.js';
import { bindRunSignal } from './http-client.js';
import { toTypedError } from './http-errors.js';
import { groupBySeries, latestPerSeries as latestOf } from '../plugin-api/latest.js';
import { Deadlines, Run, type RunOutcome, type RunOwner } from './run.js';
import { normalizeResult, type NormalizedResult } from './run-result.js';
import { buildSchedule, type Schedule } from './schedule.js';
import type { Cancel, Scheduler } from './scheduler.js';
import { createSourceAuth, type SourceAuth } from './source-auth.js';
import { ChangeCounter, SourceState, type SourceHealth, type StateOwner } from './source-state.js';
import { missingCredentials, standbyHint } from './credentials.js';

export type { RunOutcome } from './run.js';

/** Where a runner hands its points: the storage, or a collector for `homeiq once`. */
export interface PointSink {
  write(points: readonly SourcePoint[]): void;
  lastWritten(sourceId: string): Date | null;
}

/** Observers of runs (metrics). */
export interface RunObserver {
  runFinished(sourceId: string, outcome: 'success' | 'failure' | 'skipped', seconds: number, points: number): void;
}

export interface RunnerDeps {
  source: SourceConfig;
  /** null when the plugin could not be loaded; `loadError` says why. */
  plugin: PluginDeclaration | null;
  loadError?: string;
  /** The source's options, validated and with defaults (host options included). */
  options: Record<string, unknown>;
  sink: PointSink;
  scheduler: Scheduler;
  logger: Logger;
  redactor: Redactor;
  observer?: RunObserver;
  now?: () => number;
  /** Backoff base for HTTP retries (tests shorten it). */
  backoffBaseMs?: number;
  /** Called on a standby source's schedule: the host re-reads the config for new credentials. */
  onStandbyCheck?: () => void;
  /** The host's count of health changes (its `/health` cache); bumped with every change of this source. */
  changes?: ChangeCounter;
}

function iso(t: number | null): string | null {
  return t === null ? null : new Date(t).toISOString();
}

const TOKENS_NONE = { last_token_refresh: null, token_refresh_count: 0, token_expires_at: null } as const;

/**
 * Runs one source: standby without credentials, a first run at start, then its schedule; runs never
 * overlap; failures move it to degraded, then error; typed errors choose the state.
 */
export class SourceRunner implements StateOwner, RunOwner {
  readonly id: string;
  readonly state: SourceState;
  private readonly now: () => number;
  private readonly changes: ChangeCounter;
  /** This source's count of health changes (its cached `/health/sources/:id` JSON). */
  private version = 0;
  private healthCache: { version: number; written: number; secrets: number; json: string } | null = null;
  private childLogger: Logger | null = null;
  private readonly hasCredentials: boolean;
  private readonly timeoutMs: number;
  private readonly maxDataAgeMs: number | undefined;
  private ds: DataSource | null = null;
  private authState: SourceAuth | null = null;
  private schedule: Schedule | null = null;
  private cancelTimer: Cancel | null = null;
  /** The run in flight: runs never overlap. */
  private current: Run | null = null;
  private blockedUntil = 0;
  private validated = false;
  private stopped = false;
  private nextRun: number | null = null;
  private rateLimitStreak = 0;
  private latestPoints: Point[] = [];
  private latestBySeries: Map<string, Point[]> | null = null;
  /** The newest point not in the future seen so far (freshness). */
  private newestPast: number | null = null;

  constructor(private readonly deps: RunnerDeps) {
    this.id = deps.source.id;
    this.now = deps.now ?? Date.now;
    this.changes = deps.changes ?? new ChangeCounter();
    this.state = new SourceState(this);
    this.hasCredentials = !deps.plugin || missingCredentials(deps.plugin, deps.source).length === 0;
    this.timeoutMs = parseDuration(String(deps.options.timeout ?? '60s')) ?? 60_000;
    this.maxDataAgeMs = deps.options.max_data_age ? parseDuration(String(deps.options.max_data_age)) : undefined;
    for (const [field, value] of Object.entries(deps.source.credentials)) if (isSecretField(field)) deps.redactor.add(value);
    if (deps.plugin) registerWriteOnlyOptions(deps.plugin, deps.options, deps.redactor);
  }

  get credentialsConfigured(): boolean {
    return this.hasCredentials;
  }

  /** The source's child logger, as plugins receive it; made on first use (10,000 sources need not hold 10,000). */
  get logger(): Logger {
    return (this.childLogger ??= this.deps.logger.child({ source: this.id, plugin: this.deps.source.plugin }));
  }

  /** The runtime's own lines about this source: the root logger with the child's fields. */
  private log(level: 'info' | 'warn' | 'error', fields: Record<string, unknown>, message: string): void {
    this.deps.logger[level]({ source: this.id, plugin: this.deps.source.plugin, ...fields }, message);
  }

  /** Something `/health` shows changed. */
  private touch(): void {
    this.version += 1;
    this.changes.bump();
  }

  /** StateOwner: the state's log lines. */
  stateLog(level: 'info' | 'warn' | 'error', fields: Record<string, unknown>, message: string): void {
    this.log(level, fields, message);
  }

  /** StateOwner: the state changed. */
  stateChanged(): void {
    this.touch();
  }

  /**
   * The source's HTTP clients and token manager, made on first use (a plugin that never reads
   * `ctx.http` never pays for a got instance) and kept for the runner's life: a change of the
   * source's credentials or options restarts it with a new runner.
   */
  private get auth(): SourceAuth {
    if (this.authState) return this.authState;
    const plugin = this.deps.plugin!;
    this.authState = createSourceAuth({
      plugin,
      dataSource: this.ds!,
      credentials: this.deps.source.credentials,
      options: this.deps.options,
      redactor: this.deps.redactor,
      loginContext: (http, signal) => this.loginContext(http, signal),
      backoffBaseMs: this.deps.backoffBaseMs,
    });
    if (this.authState.tokens) this.authState.tokens.onChange = () => this.touch();
    return this.authState;
  }

  /** The source's got instance bound to the current run's signal. */
  httpFor(signal: AbortSignal): Got {
    const http = this.auth.http;
    bindRunSignal(http, signal);
    return http;
  }

  /** A got instance of the source's for a run that has ended: its defaults with `signal` (about 90 µs). */
  httpOfEnded(signal: AbortSignal): Got {
    return this.auth.http.extend({ signal });
  }

  /** Prepares the source; with `schedule`, also runs it now and then on its schedule. */
  start(options: { schedule: boolean } = { schedule: true }): boolean {
    const { source, plugin } = this.deps;
    if (!source.enabled) return this.settle('unknown', 'disabled', 'Paused: set enabled: true in the config file to run it');
    if (!plugin) {
      this.state.recordError(this.deps.loadError ?? 'plugin could not be loaded', undefined, this.now());
      return this.settle('error', 'error', this.deps.loadError ?? null);
    }
    if (!this.credentialsConfigured) {
      this.log('warn', { missing: missingCredentials(plugin, source) }, 'no credentials configured: standby');
      // No upstream call; on its schedule the host looks again for credentials (a VAR_FILE filled in).
      this.schedule = buildSchedule(source, plugin.default_schedule);
      if (options.schedule && this.deps.onStandbyCheck) this.scheduleStandbyCheck();
      return this.settle('healthy', 'credentials_missing', standbyHint(plugin, source));
    }
    try {
      const runner = this;
      this.ds = plugin.create({
        sourceId: this.id,
        options: this.deps.options,
        get logger() {
          return runner.logger;
        },
        errors: errorClasses,
      });
      if (!this.ds || typeof this.ds.fetch !== 'function') throw new TypeError('create() returned no DataSource with a fetch function');
    } catch (err) {
      const message = `plugin ${plugin.id} failed to create the source: ${this.deps.redactor.redact((err as Error).message)}`;
      this.state.recordError(message, undefined, this.now());
      return this.settle('error', 'error', null);
    }
    this.schedule = buildSchedule(source, plugin.default_schedule);
    this.state.set('unknown', 'starting');
    this.touch();
    if (options.schedule) this.tick();
    return true;
  }

  /** One run now (used by `homeiq once` and `check`, and by the schedule). Never overlaps another. */
  run(): Promise<RunOutcome> {
    if (this.current) return this.current.outcome();
    if (!this.ds) return Promise.resolve({ ok: false, points: [], error: new Error(`source ${this.id} is not runnable`) });
    return this.execute(false).outcome();
  }

  /**
   * A fault of this source's plugin outside any run (a rejected promise it leaked, an exception from
   * its own timer), found by the process's handlers: shown as `last_error` without failing a run.
   */
  reportFault(message: string): void {
    this.state.recordError(message, undefined, this.now());
  }

  /** Stops the schedule, waits up to `graceMs` for a run in flight, aborts it, disposes the source. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    this.nextRun = null;
    this.touch();
    if (this.current) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.current.outcome(), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
      this.current?.abort(new TimeoutError('the host is shutting down'));
    }
    this.schedule?.dispose();
    try {
      await this.ds?.dispose?.();
    } catch (err) {
      this.log('warn', { err }, 'dispose failed');
    }
  }

  /**
   * This source's object of `GET /health` as JSON, redacted; serialised again only when something
   * it shows changed: the source's state, its last write (storage) or the secrets known.
   */
  healthJson(): string {
    const written = this.deps.sink.lastWritten(this.id)?.getTime() ?? -1;
    const secrets = this.deps.redactor.revision;
    const c = this.healthCache;
    if (c && c.version === this.version && c.written === written && c.secrets === secrets) return c.json;
    const json = this.deps.redactor.redact(JSON.stringify(this.health()));
    this.healthCache = { version: this.version, written, secrets, json };
    return json;
  }

  health(): SourceHealth {
    const s = this.state;
    const tokens = this.authState?.tokens?.state() ?? TOKENS_NONE;
    return {
      plugin: this.deps.source.plugin,
      status: s.status,
      status_detail: s.detail,
      credentials_configured: this.credentialsConfigured,
      last_successful_fetch: iso(s.lastSuccess),
      ...tokens,
      consecutive_failures: s.consecutiveFailures,
      last_error: s.lastError,
      last_written: this.deps.sink.lastWritten(this.id)?.toISOString() ?? null,
      next_run: iso(this.nextRun),
      title: this.deps.plugin?.title ?? this.deps.source.plugin,
      schedule: this.schedule?.description ?? null,
      hint: s.hint,
      points_last_run: s.pointsLastRun,
      newest_point: iso(s.newestPoint),
      warnings: s.warnings,
      item_errors: s.itemErrors,
      details: s.details,
    };
  }

  /** The latest points as `/api/sources/:id/latest` answers them. */
  latest(): unknown {
    if (this.ds?.latest) return this.ds.latest(this.latestPoints, new Date(this.now()));
    return latestOf(this.latestPoints);
  }

  get settled(): boolean {
    return this.state.settled;
  }

  private settle(status: 'healthy' | 'error' | 'unknown', detail: 'credentials_missing' | 'error' | 'disabled', hint: string | null): false {
    this.state.set(status, detail, hint);
    this.state.settled = true;
    return false;
  }

  private scheduleStandbyCheck(): void {
    if (this.stopped || !this.schedule) return;
    const next = this.schedule.next(new Date(this.now())).getTime();
    this.nextRun = next;
    this.touch();
    this.cancelTimer = this.deps.scheduler.at(next, () => {
      this.deps.onStandbyCheck?.();
      this.scheduleStandbyCheck();
    });
  }

  private tick(): void {
    if (this.stopped) return;
    this.nextRun = null;
    this.touch();
    // The next run is planned when this one ends (`settleRun`): no promise of the outcome and no
    // reaction to it, which 10,000 sources due in the same second would all hold at once.
    if (this.current) this.current.scheduled = true;
    else if (this.ds) this.execute(true);
    else this.scheduleNext();
  }

  /** Plans the next run once one finished (its `blockedUntil` may push it out). */
  private scheduleNext(): void {
    if (this.stopped || !this.schedule) return;
    const next = Math.max(this.schedule.next(new Date(this.now())).getTime(), this.blockedUntil);
    this.nextRun = next;
    this.touch();
    this.cancelTimer = this.deps.scheduler.at(next, () => this.tick());
  }

  /** What `login` and `refresh` receive: the token-less client and the login's own signal. */
  private loginContext(http: Got, signal: AbortSignal): RunContext {
    return {
      sourceId: this.id,
      options: this.deps.options,
      logger: this.logger,
      errors: errorClasses,
      credentials: this.deps.source.credentials,
      http,
      signal,
      lastSuccess: this.state.lastSuccess === null ? null : new Date(this.state.lastSuccess),
    };
  }

  /** `validate` before the first fetch (and after every restart), then `fetch`. */
  private async validateThenFetch(ds: DataSource, ctx: Run): Promise<unknown> {
    await ds.validate!(ctx);
    this.validated = true;
    return ds.fetch(ctx);
  }

  /**
   * One run. The set-up before the plugin's `fetch` is called is kept to a few microseconds
   * (10,000 sources due in the same second start one after the other on one thread): one context
   * object, one reaction to the plugin's promise and a slot in the deadline queue; no promise of
   * the outcome unless someone awaits it (`run()`), no async function frames, no AbortController,
   * got instance or abort listener unless the plugin uses them (measured: an abort listener 25 µs,
   * `got.extend` 90 µs).
   */
  private execute(scheduled: boolean): Run {
    const run = new Run(this, this.deps.options, this.deps.source.credentials, this.state.lastSuccess, this.now(), scheduled);
    this.current = run;
    // The source's got instance keeps its defaults; a plugin that kept `ctx.http` from an earlier
    // run still gets this run's signal.
    if (this.authState) bindRunSignal(this.authState.http, run.signal);
    Deadlines.of(this.timeoutMs).add(run);
    const ds = this.ds!;
    let work: Promise<unknown>;
    try {
      work = this.validated || !ds.validate ? Promise.resolve(ds.fetch(run)) : this.validateThenFetch(ds, run);
    } catch (err) {
      // A plugin whose fetch throws before returning a promise.
      work = Promise.reject(err);
    }
    // A plugin that never settles is abandoned at the deadline (Run.abort); what its work does
    // later is ignored, a late rejection included (handled here, so it cannot crash the host).
    work.then(
      (value) => this.settleRun(run, value, true),
      (err: unknown) => this.settleRun(run, err, false),
    );
    return run;
  }

  /** The run's outcome: the plugin's answer (`ok`), or its error, or the abort's reason. Once per run. */
  /** @internal (Run) */
  settleRun(run: Run, value: unknown, ok: boolean): void {
    if (run.ended) return;
    run.ended = true;
    run.deadlines?.remove(run);
    let outcome: RunOutcome;
    try {
      outcome = ok ? this.finish(run, value) : this.finishFailed(run, value);
    } catch (err) {
      // Only the runner's own bookkeeping (an observer) can throw here; the run still ends.
      outcome = { ok: false, points: [], error: err instanceof Error ? err : new Error(String(err)) };
    }
    run.done(outcome);
    if (run.scheduled) this.scheduleNext();
  }

  private finish(run: Run, value: unknown): RunOutcome {
    try {
      const result = normalizeResult(value, this.id, this.now());
      if (result.points.length === 0 && result.errors.length > 0) throw result.errors[0]!.error;
      this.deps.sink.write(result.points);
      this.succeeded(result);
      this.deps.observer?.runFinished(this.id, 'success', (this.now() - run.started) / 1000, result.points.length);
      this.ended(run);
      return { ok: true, points: result.points };
    } catch (err) {
      return this.finishFailed(run, err);
    }
  }

  private finishFailed(run: Run, err: unknown): RunOutcome {
    const typed = this.typed(err);
    try {
      this.failed(typed);
      this.deps.observer?.runFinished(this.id, 'failure', (this.now() - run.started) / 1000, 0);
    } finally {
      this.ended(run);
    }
    return { ok: false, points: [], error: typed };
  }

  private ended(run: Run): void {
    if (this.current === run) this.current = null;
    this.state.settled = true;
    this.touch();
  }

  /**
   * Keeps, per series, the points of the newest run that had that series: a series that one run
   * did not bring (a failed item) stays visible in `/latest` with its last values.
   */
  private keepLatest(points: readonly Point[]): void {
    if (points.length === 0) return;
    const fresh = groupBySeries(points);
    const latest = (this.latestBySeries ??= new Map());
    for (const [key, list] of fresh) latest.set(key, list);
    this.latestPoints = [...latest.values()].flat();
  }

  /** Maps an HTTP-client error (of the run, or of one item) to its typed error. */
  private typed(err: unknown): Error {
    return toTypedError(err, { title: this.deps.plugin!.title, keyCredentials: this.deps.plugin!.credentials?.style === 'api_key' });
  }

  private succeeded(result: NormalizedResult): void {
    const s = this.state;
    const now = this.now();
    s.lastSuccess = now;
    s.consecutiveFailures = 0;
    this.rateLimitStreak = 0;
    this.blockedUntil = 0;
    s.pointsLastRun = result.points.length;
    this.keepLatest(result.points);
    if (result.newest !== null) s.newestPoint = result.newest;
    s.setWarnings(result.warnings.map((w) => this.deps.redactor.redact(w)));
    if (result.errors.length > 0 || s.itemErrors.length > 0) {
      s.itemErrors = result.errors.map((e) => ({ item: e.item, message: this.deps.redactor.redact(this.typed(e.error).message) }));
    }
    s.details = result.details;
    const maxAge = this.maxDataAgeMs;
    if (result.newestPast !== null) this.newestPast = Math.max(this.newestPast ?? 0, result.newestPast);
    if (maxAge !== undefined && this.newestPast !== null && now - this.newestPast > maxAge) {
      const age = Math.round((now - this.newestPast) / 60_000);
      s.set('degraded', 'stale', `The newest point is ${age} min old; the upstream publishes more often than that`);
    } else {
      s.set('healthy', 'operational');
    }
  }

  private failed(err: Error): void {
    const s = this.state;
    const now = this.now();
    const httpStatus = (err as { httpStatus?: number }).httpStatus;
    s.recordError(this.deps.redactor.redact(err.message), httpStatus, now);
    s.consecutiveFailures += 1;
    const longWait = parseDuration(String(this.deps.options.credentials_retry_after ?? '15m')) ?? 900_000;
    switch (errorKind(err)) {
      case 'credentials':
        this.authState?.tokens?.clear();
        this.blockedUntil = now + longWait;
        s.set('error', 'credentials_invalid', 'Check the credentials; the source tries again in a while or when its config changes');
        return;
      case 'access':
        this.blockedUntil = now + longWait;
        s.set('error', 'access_denied', 'The account may not read this; see the last error');
        return;
      case 'config':
        this.blockedUntil = now + longWait;
        s.set('error', 'error', 'Fix the source in the config file');
        return;
      case 'rate_limit': {
        const retryAfter = (err as { retryAfterMs?: number }).retryAfterMs;
        this.rateLimitStreak += 1;
        this.blockedUntil = now + (retryAfter ?? Math.min(30 * 60_000, 60_000 * 2 ** (this.rateLimitStreak - 1)));
        s.set('degraded', 'rate_limited', `Waiting until ${new Date(this.blockedUntil).toISOString()} as the upstream asked`);
        return;
      }
      default: {
        const errorAfter = typeof this.deps.options.error_after === 'number' ? this.deps.options.error_after : 3;
        if (s.consecutiveFailures >= errorAfter) s.set('error', 'error');
        else s.set('degraded', 'degraded');
      }
    }
  }
}
