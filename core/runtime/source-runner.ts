import type { Logger } from 'pino';
import type { SourceConfig } from '../config/types.js';
import type { DataSource, RunContext } from '../plugin-api/data-source.js';
import { errorKind, errors as errorClasses, TimeoutError } from '../plugin-api/errors.js';
import { parseDuration } from '../plugin-api/duration.js';
import type { Point, SourcePoint } from '../plugin-api/point.js';
import type { PluginDeclaration } from '../plugin-api/plugin.js';
import { isSecretField, type Redactor } from '../logging/redactor.js';
import { registerWriteOnlyOptions } from './secret-options.js';
import { toTypedError } from './http-errors.js';
import { latestOf } from './latest.js';
import { normalizeResult, type NormalizedResult } from './run-result.js';
import { buildSchedule, type Schedule } from './schedule.js';
import type { Cancel, Scheduler } from './scheduler.js';
import { createSourceAuth, type SourceAuth } from './source-auth.js';
import { SourceState, type SourceHealth } from './source-state.js';
import { missingCredentials, standbyHint } from './credentials.js';

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
}

export interface RunOutcome {
  ok: boolean;
  points: SourcePoint[];
  error?: Error;
}

/**
 * Runs one source: standby without credentials, a first run at start, then its schedule; runs never
 * overlap; failures move it to degraded, then error; typed errors choose the state.
 */
export class SourceRunner {
  readonly id: string;
  readonly state: SourceState;
  private readonly log: Logger;
  private readonly now: () => number;
  private ds: DataSource | null = null;
  private auth: SourceAuth | null = null;
  private schedule: Schedule | null = null;
  private cancelTimer: Cancel | null = null;
  private running: Promise<RunOutcome> | null = null;
  private abort: AbortController | null = null;
  private blockedUntil = 0;
  private validated = false;
  private stopped = false;
  private nextRun: number | null = null;
  private rateLimitStreak = 0;
  private latestPoints: Point[] = [];
  private readonly latestBySeries = new Map<string, Point[]>();
  /** The newest point not in the future seen so far (freshness). */
  private newestPast: number | null = null;

  constructor(private readonly deps: RunnerDeps) {
    this.id = deps.source.id;
    this.now = deps.now ?? Date.now;
    this.log = deps.logger.child({ source: this.id, plugin: deps.source.plugin });
    this.state = new SourceState(this.log);
    for (const [field, value] of Object.entries(deps.source.credentials)) if (isSecretField(field)) deps.redactor.add(value);
    if (deps.plugin) registerWriteOnlyOptions(deps.plugin, deps.options, deps.redactor);
  }

  get credentialsConfigured(): boolean {
    return !this.deps.plugin || missingCredentials(this.deps.plugin, this.deps.source).length === 0;
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
      this.log.warn({ missing: missingCredentials(plugin, source) }, 'no credentials configured: standby');
      // No upstream call; on its schedule the host looks again for credentials (a VAR_FILE filled in).
      this.schedule = buildSchedule(source, plugin.default_schedule);
      if (options.schedule && this.deps.onStandbyCheck) this.scheduleStandbyCheck();
      return this.settle('healthy', 'credentials_missing', standbyHint(plugin, source));
    }
    try {
      const ctx = { sourceId: this.id, options: this.deps.options, logger: this.log, errors: errorClasses };
      this.ds = plugin.create(ctx);
      if (!this.ds || typeof this.ds.fetch !== 'function') throw new TypeError('create() returned no DataSource with a fetch function');
      this.auth = createSourceAuth({
        plugin,
        dataSource: this.ds,
        credentials: source.credentials,
        options: this.deps.options,
        redactor: this.deps.redactor,
        loginContext: (http, signal) => this.context(http, signal),
        backoffBaseMs: this.deps.backoffBaseMs,
      });
    } catch (err) {
      const message = `plugin ${plugin.id} failed to create the source: ${this.deps.redactor.redact((err as Error).message)}`;
      this.state.recordError(message, undefined, this.now());
      return this.settle('error', 'error', null);
    }
    this.schedule = buildSchedule(source, plugin.default_schedule);
    this.state.set('unknown', 'starting');
    if (options.schedule) void this.tick();
    return true;
  }

  /** One run now (used by `homeiq once` and `check`, and by the schedule). Never overlaps another. */
  run(): Promise<RunOutcome> {
    if (this.running) return this.running;
    if (!this.ds || !this.auth) return Promise.resolve({ ok: false, points: [], error: new Error(`source ${this.id} is not runnable`) });
    this.running = this.execute().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Stops the schedule, waits up to `graceMs` for a run in flight, aborts it, disposes the source. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    this.nextRun = null;
    if (this.running) {
      const timer = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
      await Promise.race([this.running, timer]);
      this.abort?.abort(new TimeoutError('the host is shutting down'));
    }
    this.schedule?.dispose();
    try {
      await this.ds?.dispose?.();
    } catch (err) {
      this.log.warn({ err }, 'dispose failed');
    }
  }

  health(): SourceHealth {
    const s = this.state;
    const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    const tokens = this.auth?.tokens?.state() ?? { last_token_refresh: null, token_refresh_count: 0, token_expires_at: null };
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
    this.cancelTimer = this.deps.scheduler.at(next, () => {
      this.deps.onStandbyCheck?.();
      this.scheduleStandbyCheck();
    });
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    this.nextRun = null;
    await this.run();
    if (this.stopped || !this.schedule) return;
    const next = Math.max(this.schedule.next(new Date(this.now())).getTime(), this.blockedUntil);
    this.nextRun = next;
    this.cancelTimer = this.deps.scheduler.at(next, () => void this.tick());
  }

  private context(http: import('got').Got, signal: AbortSignal): RunContext {
    return {
      sourceId: this.id,
      options: this.deps.options,
      logger: this.log,
      errors: errorClasses,
      credentials: this.deps.source.credentials,
      http,
      signal,
      lastSuccess: this.state.lastSuccess === null ? null : new Date(this.state.lastSuccess),
    };
  }

  private async execute(): Promise<RunOutcome> {
    const started = this.now();
    const timeoutMs = parseDuration(String(this.deps.options.timeout ?? '60s')) ?? 60_000;
    const controller = new AbortController();
    this.abort = controller;
    const timer = setTimeout(() => controller.abort(new TimeoutError(`the run did not finish within ${timeoutMs / 1000}s`)), timeoutMs);
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    aborted.catch(() => undefined);
    try {
      const ds = this.ds!;
      const ctx = this.context(this.auth!.http.extend({ signal: controller.signal }), controller.signal);
      const work = (async () => {
        if (!this.validated && ds.validate) await ds.validate(ctx);
        this.validated = true;
        return ds.fetch(ctx);
      })();
      // A plugin that never settles is abandoned at the deadline; its late rejection must not crash the host.
      work.catch(() => undefined);
      const result = normalizeResult(await Promise.race([work, aborted]), this.id, this.now());
      if (result.points.length === 0 && result.errors.length > 0) throw result.errors[0]!.error;
      this.deps.sink.write(result.points);
      this.succeeded(result);
      this.deps.observer?.runFinished(this.id, 'success', (this.now() - started) / 1000, result.points.length);
      return { ok: true, points: result.points };
    } catch (err) {
      const typed = this.typed(err);
      this.failed(typed);
      this.deps.observer?.runFinished(this.id, 'failure', (this.now() - started) / 1000, 0);
      return { ok: false, points: [], error: typed };
    } finally {
      clearTimeout(timer);
      this.abort = null;
      this.state.settled = true;
    }
  }

  /**
   * Keeps, per series, the points of the newest run that had that series: a series that one run
   * did not bring (a failed item) stays visible in `/latest` with its last values.
   */
  private keepLatest(points: readonly Point[]): void {
    if (points.length === 0) return;
    const fresh = new Map<string, Point[]>();
    for (const p of points) {
      const key = `${p.measurement}|${JSON.stringify(Object.entries(p.tags ?? {}).sort())}`;
      const list = fresh.get(key);
      if (list) list.push(p);
      else fresh.set(key, [p]);
    }
    for (const [key, list] of fresh) this.latestBySeries.set(key, list);
    this.latestPoints = [...this.latestBySeries.values()].flat();
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
    s.itemErrors = result.errors.map((e) => ({ item: e.item, message: this.deps.redactor.redact(this.typed(e.error).message) }));
    s.details = result.details;
    const maxAge = this.deps.options.max_data_age ? parseDuration(String(this.deps.options.max_data_age)) : undefined;
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
        this.auth?.tokens?.clear();
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
