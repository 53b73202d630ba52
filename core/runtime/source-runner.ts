import type { Got } from 'got';
import type { Logger } from 'pino';
import type { SourceConfig } from '../config/types.js';
import type { DataSource, RunContext } from '../plugin-api/data-source.js';
import { errors as errorClasses, TimeoutError } from '../plugin-api/errors.js';
import type { Point, SourcePoint } from '../plugin-api/point.js';
import type { EntityDeclaration } from '../plugin-api/entity.js';
import type { PluginDeclaration } from '../plugin-api/plugin.js';
import { isSecretField, type Redactor } from '../logging/redactor.js';
import { registerWriteOnlyOptions } from './secret-options.js';
import { toTypedError } from './http-errors.js';
import { latestPerSeries as latestOf } from '../plugin-api/latest.js';
import { LatestPoints } from './latest-points.js';
import { DISPOSE_LIMIT_MS, Run, settlesWithin, type RunOutcome, type RunOwner } from './run.js';
import { normalizeResult, reportDropped } from './run-result.js';
import { buildSchedule, type Schedule } from './schedule.js';
import type { Cancel, Scheduler } from './scheduler.js';
import type { SourceSettings } from '../config/source-settings.js';
import { createSourceAuth, type SourceAuth, type TokenShare } from './source-auth.js';
import { SourceState, type SourceHealth, type StatusOwner, type StatusSettings } from './source-state.js';
import { missingCredentials, standbyHint } from './credentials.js';
import { IsoTime } from './iso-time.js';
import { LONGEST_DURATION_MS } from '../plugin-api/duration.js';

export type { RunOutcome } from './run.js';

/** Where a runner hands its points: the storage, or a collector for `homeiq once`. */
export interface PointSink {
  write(points: readonly SourcePoint[]): void;
  /** Counts points of a run left out (broken, or beyond `max_points_per_run`); `once` has none to count. */
  drop?(sourceId: string, points: number, reason: string): void;
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
  /** The host options of `options`, resolved (see sourceSettings). */
  settings: SourceSettings;
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
  /**
   * Runs come from a scheduler shared by several hosts (`runTick`), not from this runner's own
   * schedule; a standby source still looks for credentials on its schedule here.
   */
  shared?: boolean;
  /** Shares the source's login token with the other hosts (a shared scheduler). */
  shareToken?: TokenShare;
}

const TOKENS_NONE = { last_token_refresh: null, token_refresh_count: 0, token_expires_at: null } as const;

/**
 * The run loop of one source: standby without credentials, a first run at start, then its
 * schedule, the next run planned when one ends; runs never overlap. Each run is a Run (run.ts);
 * what its outcome does to the source's status is SourceState's (source-state.ts).
 */
export class SourceRunner implements StatusOwner, RunOwner {
  readonly id: string;
  readonly state: SourceState;
  readonly settings: StatusSettings;
  private readonly now: () => number;
  private childLogger: Logger | null = null;
  private readonly hasCredentials: boolean;
  private readonly timeoutMs: number;
  private ds: DataSource | null = null;
  private authState: SourceAuth | null = null;
  private schedule: Schedule | null = null;
  private cancelTimer: Cancel | null = null;
  /** The run in flight: runs never overlap. */
  private current: Run | null = null;
  private validated = false;
  private stopped = false;
  private nextRun: number | null = null;
  private readonly latestPoints = new LatestPoints();
  /** `/health`'s times, formatted when they change. */
  private readonly shown = { lastSuccess: new IsoTime(), lastWritten: new IsoTime(), nextRun: new IsoTime(), newestPoint: new IsoTime() };

  constructor(private readonly deps: RunnerDeps) {
    this.id = deps.source.id;
    this.now = deps.now ?? Date.now;
    this.hasCredentials = !deps.plugin || missingCredentials(deps.plugin, deps.source).length === 0;
    this.timeoutMs = deps.settings.timeoutMs;
    this.settings = {
      maxDataAgeMs: deps.settings.maxDataAgeMs ?? undefined,
      errorAfter: deps.settings.errorAfter,
      longWaitMs: deps.settings.credentialsRetryAfterMs,
    };
    this.state = new SourceState(this);
    for (const [field, value] of Object.entries(deps.source.credentials)) if (isSecretField(field)) deps.redactor.add(value);
    if (deps.plugin) registerWriteOnlyOptions(deps.plugin, deps.options, deps.redactor);
  }

  get pluginId(): string {
    return this.deps.source.plugin;
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

  /** StatusOwner: the state's log lines. */
  stateLog(level: 'info' | 'warn' | 'error', fields: Record<string, unknown>, message: string): void {
    this.log(level, fields, message);
  }

  /** StatusOwner: a message as health and logs keep it: secrets out, then its length bounded. */
  readonly redact = (text: string): string => this.deps.redactor.brief(text);

  /** StatusOwner: maps an HTTP-client error (of the run, or of one item) to its typed error. */
  typed(err: unknown): Error {
    return toTypedError(err, { title: this.deps.plugin!.title, keyCredentials: this.deps.settings.credentials?.style === 'api_key' });
  }

  /** StatusOwner: the credentials were refused; a token obtained with them is forgotten. */
  credentialsRefused(): void {
    this.authState?.tokens?.clear();
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
      settings: this.deps.settings,
      redactor: this.deps.redactor,
      loginContext: (http, signal) => this.loginContext(http, signal),
      backoffBaseMs: this.deps.backoffBaseMs,
      shareToken: this.deps.shareToken,
    });
    return this.authState;
  }

  /** RunOwner: the source's got client; each run extends it with its own signal. */
  get http(): Got {
    return this.auth.http;
  }

  /** Prepares the source; with `schedule`, also runs it now and then on its schedule. */
  start(options: { schedule: boolean } = { schedule: true }): boolean {
    const { source, plugin } = this.deps;
    if (!source.enabled) return this.withoutRuns('unknown', 'disabled', 'Paused: set enabled: true in the config file to run it');
    if (!plugin) {
      this.state.recordError(this.deps.loadError ?? 'plugin could not be loaded', undefined, this.now());
      return this.withoutRuns('error', 'error', this.deps.loadError ?? null);
    }
    if (!this.credentialsConfigured) {
      // Waiting for credentials is not a problem: `info`.
      this.log('info', { missing: missingCredentials(plugin, source) }, 'no credentials configured: standby');
      // No upstream call; on its schedule the host looks again for credentials (a VAR_FILE filled in).
      this.schedule = buildSchedule(source, plugin.default_schedule);
      if (options.schedule && this.deps.onStandbyCheck) this.scheduleStandbyCheck();
      return this.withoutRuns('healthy', 'credentials_missing', standbyHint(plugin, source));
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
      const message = `plugin ${plugin.id} failed to create the source: ${(err as Error).message}`;
      this.state.recordError(message, undefined, this.now());
      return this.withoutRuns('error', 'error', null);
    }
    this.schedule = buildSchedule(source, plugin.default_schedule);
    this.state.set('unknown', 'starting');
    // A shared scheduler runs it on some host at its ticks: ready now, its first run is not this host's to wait for.
    if (this.deps.shared) this.state.settled = true;
    else if (options.schedule) this.tick();
    return true;
  }

  /** The source's schedule (null until started, and for a source that cannot run). */
  get runSchedule(): Schedule | null {
    return this.ds ? this.schedule : null;
  }

  /**
   * One run of a shared scheduler's tick (`tick` in ms, from its job): after the run in flight,
   * if any, since runs of a source never overlap on a host.
   */
  async runTick(tick: number): Promise<RunOutcome> {
    while (this.current) await this.current.outcome();
    if (this.stopped || !this.ds) return { ok: false, points: [], error: new Error(`source ${this.id} is not runnable on this host`) };
    return this.execute(false, tick).outcome();
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
    if (this.current) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.current.outcome(), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
      this.current?.abort(new TimeoutError('the host is shutting down'));
    }
    this.schedule?.dispose();
    try {
      if (!(await settlesWithin(this.ds?.dispose?.(), DISPOSE_LIMIT_MS))) this.log('warn', { limit_ms: DISPOSE_LIMIT_MS }, 'dispose() did not finish in time; the source is stopped without it');
    } catch (err) {
      this.log('warn', { err }, 'dispose failed');
    }
  }

  health(): SourceHealth {
    const s = this.state;
    const tokens = this.authState?.tokens?.state() ?? TOKENS_NONE;
    return {
      plugin: this.deps.source.plugin,
      status: s.status,
      status_detail: s.detail,
      credentials_configured: this.credentialsConfigured,
      last_successful_fetch: this.shown.lastSuccess.of(s.lastSuccess),
      ...tokens,
      consecutive_failures: s.consecutiveFailures,
      last_error: s.lastError,
      last_written: this.shown.lastWritten.of(this.deps.sink.lastWritten(this.id)?.getTime() ?? null),
      next_run: this.shown.nextRun.of(this.nextRun),
      title: this.deps.plugin?.title ?? this.deps.source.plugin,
      schedule: this.schedule?.description ?? null,
      hint: s.hint,
      points_last_run: s.pointsLastRun,
      newest_point: this.shown.newestPoint.of(s.newestPoint),
      warnings: s.warnings,
      item_errors: s.itemErrors,
      details: s.details,
    };
  }

  /** The points of the newest runs, one list per series as `/latest` keeps them (Home Assistant's states). */
  get newestPoints(): readonly Point[] {
    return this.latestPoints.points;
  }

  /** The values the plugin declares for Home Assistant (none: every numeric field). */
  get entities(): readonly EntityDeclaration[] | undefined {
    return this.deps.plugin?.entities;
  }

  /** The latest points as `/api/sources/:id/latest` answers them. */
  latest(): unknown {
    const points = this.latestPoints.points;
    if (this.ds?.latest) return this.ds.latest(points, new Date(this.now()));
    return latestOf(points);
  }

  get settled(): boolean {
    return this.state.settled;
  }

  private withoutRuns(status: 'healthy' | 'error' | 'unknown', detail: 'credentials_missing' | 'error' | 'disabled', hint: string | null): false {
    this.state.set(status, detail, hint);
    this.state.settled = true;
    return false;
  }

  private scheduleStandbyCheck(): void {
    if (this.stopped || !this.schedule) return;
    const next = this.plannable(this.schedule.next(new Date(this.now())).getTime());
    this.nextRun = next;
    this.cancelTimer = this.deps.scheduler.at(next, () => {
      this.deps.onStandbyCheck?.();
      this.scheduleStandbyCheck();
    });
  }

  private tick(): void {
    if (this.stopped) return;
    const due = this.nextRun ?? this.now();
    this.nextRun = null;
    // The next run is planned when this one ends (`runEnded`): no promise of the outcome and no
    // reaction to it, which 10,000 sources due in the same second would all hold at once.
    if (this.current) this.current.scheduled = true;
    else if (this.ds) this.execute(true, due);
    else this.scheduleNext();
  }

  /** Plans the next run once one finished (its `blockedUntil` may push it out). */
  private scheduleNext(): void {
    if (this.stopped || !this.schedule) return;
    const next = this.plannable(Math.max(this.schedule.next(new Date(this.now())).getTime(), this.state.blockedUntil));
    this.nextRun = next;
    this.cancelTimer = this.deps.scheduler.at(next, () => this.tick());
  }

  /**
   * A next run no further out than the longest duration a config may give, whatever a drop-in
   * plugin's default schedule or a wait asked: `next_run` stays a date `/health` can show.
   */
  private plannable(at: number): number {
    const now = this.now();
    return Number.isFinite(at) ? Math.min(at, now + LONGEST_DURATION_MS) : now + LONGEST_DURATION_MS;
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
      tick: new Date(this.now()),
    };
  }

  /** `validate` before the first fetch (and after every restart), then `fetch`. */
  private async validateThenFetch(ds: DataSource, ctx: Run): Promise<unknown> {
    await ds.validate!(ctx);
    this.validated = true;
    return ds.fetch(ctx);
  }

  /** One run: `validate` first if due, then `fetch`; its outcome arrives in `runEnded`. */
  private execute(scheduled: boolean, tick?: number): Run {
    const now = this.now();
    const run = new Run(this, this.deps.options, this.deps.source.credentials, this.state.lastSuccess, now, scheduled, this.timeoutMs, tick ?? now);
    this.current = run;
    const ds = this.ds!;
    let work: Promise<unknown>;
    try {
      work = this.validated || !ds.validate ? Promise.resolve(ds.fetch(run)) : this.validateThenFetch(ds, run);
    } catch (err) {
      // A plugin whose fetch throws before returning a promise.
      work = Promise.reject(err);
    }
    // A plugin that never answers is abandoned at its timeout (Run.abort); what its work does
    // later is ignored, a late rejection included (handled here, so it cannot crash the host).
    work.then(
      (value) => this.runEnded(run, value, true),
      (err: unknown) => this.runEnded(run, err, false),
    );
    return run;
  }

  /** RunOwner: the run's outcome, from the plugin's answer (`ok`), its error or the abort's reason. Once per run. */
  runEnded(run: Run, value: unknown, ok: boolean): void {
    if (run.ended) return;
    if (ok && run.overdue()) [value, ok] = [run.timeoutError, false];
    run.ended = true;
    let outcome: RunOutcome;
    try {
      outcome = ok ? this.succeeded(run, value) : this.failed(run, value);
    } catch (err) {
      // Only the runner's own bookkeeping (an observer) can throw here; the run still ends.
      outcome = { ok: false, points: [], error: err instanceof Error ? err : new Error(String(err)) };
    }
    if (this.current === run) this.current = null;
    this.state.settled = true;
    run.done(outcome);
    if (run.scheduled) this.scheduleNext();
  }

  private succeeded(run: Run, value: unknown): RunOutcome {
    try {
      const result = normalizeResult(value, this.id, this.now(), this.deps.settings.maxPointsPerRun);
      if (result.points.length === 0 && result.errors.length > 0) throw result.errors[0]!.error;
      this.deps.sink.write(result.points);
      if (result.dropped) reportDropped(result.dropped, this.id, this.deps.sink, this.logger);
      this.latestPoints.keep(result, this.deps.settings.maxLatestSeries);
      this.state.succeeded(result, this.now());
      this.deps.observer?.runFinished(this.id, 'success', (this.now() - run.started) / 1000, result.points.length);
      return { ok: true, points: result.points };
    } catch (err) {
      return this.failed(run, err);
    }
  }

  private failed(run: Run, err: unknown): RunOutcome {
    const typed = this.typed(err);
    this.state.failed(typed, this.now());
    this.deps.observer?.runFinished(this.id, 'failure', (this.now() - run.started) / 1000, 0);
    return { ok: false, points: [], error: typed };
  }
}
