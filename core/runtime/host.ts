import type { Logger } from 'pino';
import type { Redactor } from '../logging/redactor.js';
import type { Storage, StorageHealth } from '../storage/storage.js';
import type { PreparedSource } from './source-set.js';
import type { Scheduler } from './scheduler.js';
import { toEveryPublisher, type HealthBlocks, type Publisher } from './publisher.js';
import { SourceRunner, type RunObserver } from './source-runner.js';
import type { SourceHealth, Status } from './source-state.js';
import { isoOrNull } from './iso-time.js';
import type { Schedule } from './schedule.js';
import type { SharedRuns } from './shared-runs.js';

export interface HealthReport extends HealthBlocks {
  status: Status;
  version: string;
  uptime_seconds: number;
  storage: StorageHealth;
  sources: Record<string, SourceHealth>;
}

const RANK: Record<Status, number> = { unknown: 0, healthy: 0, degraded: 1, error: 2 };

/**
 * Sources started before the event loop gets a turn: thousands of sources start in batches, so
 * that `/health` is answered while a config reload starts them, and a batch's first runs finish
 * before the next batch starts. Measured with 10,000 sources (test/bench/scale.ts): started in one
 * block, the start of their first scheduled runs was still cold code a minute later (V8 had
 * optimised it before any run had finished, then dropped it): lateness p99 33–47 ms; in batches of
 * 500: 13–23 ms.
 */
const START_BATCH = 500;

/** The report of a source whose own report failed: in error, saying why, with what is safe to read. */
function brokenHealth(runner: SourceRunner, message: string, now: number): SourceHealth {
  return {
    plugin: runner.pluginId,
    status: 'error',
    status_detail: 'error',
    credentials_configured: runner.credentialsConfigured,
    last_successful_fetch: null,
    last_token_refresh: null,
    token_refresh_count: 0,
    token_expires_at: null,
    consecutive_failures: 0,
    last_error: { at: isoOrNull(now) ?? '', message },
    last_written: null,
    next_run: null,
    title: runner.pluginId,
    schedule: null,
    hint: 'A bug in the host or the plugin: please report it with the log line',
    points_last_run: 0,
    newest_point: null,
    warnings: [],
    item_errors: [],
    details: {},
  };
}

/** Settings of the host that are not services. */
export interface HostOptions {
  version: string;
  now?: () => number;
  /** Backoff base for HTTP retries within a run (tests shorten it). */
  backoffBaseMs?: number;
}

/**
 * Holds the running sources. `apply` moves from one config to the next: a source whose entry
 * changed is restarted, an added one started, a removed one stopped, the others left alone.
 */
export class Host {
  private readonly runners = new Map<string, { runner: SourceRunner; fingerprint: string }>();
  private readonly started: number;
  private configLoaded = false;
  /** Set by `main`: re-reads the config when a standby source's schedule comes round. */
  onStandbyCheck: (() => void) | undefined;
  /** One function for every runner (not a closure per source). */
  private readonly standbyCheck = (): void => this.onStandbyCheck?.();

  /** Every publisher, as one observer handed to each runner. */
  private readonly observer: RunObserver | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly scheduler: Scheduler,
    private readonly logger: Logger,
    private readonly redactor: Redactor,
    private readonly options: HostOptions,
    private readonly publishers: readonly Publisher[] = [],
    /** Set when hosts share the sources (`scheduler.type: redis`): runs come from it, not from `scheduler`. */
    private readonly shared: SharedRuns | null = null,
  ) {
    this.started = this.now();
    this.observer = toEveryPublisher(publishers);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  async apply(sources: readonly PreparedSource[]): Promise<{ started: string[]; stopped: string[]; unchanged: string[] }> {
    const next = new Map(sources.map((s) => [s.source.id, s]));
    const stopped: string[] = [];
    const startedIds: string[] = [];
    const unchanged: string[] = [];
    for (const [id, current] of this.runners) {
      const wanted = next.get(id);
      if (wanted && wanted.fingerprint === current.fingerprint) continue;
      await current.runner.stop();
      this.runners.delete(id);
      stopped.push(id);
    }
    for (const prepared of sources) {
      const id = prepared.source.id;
      if (this.runners.has(id)) {
        unchanged.push(id);
        continue;
      }
      const runner = this.createRunner(prepared);
      this.runners.set(id, { runner, fingerprint: prepared.fingerprint });
      runner.start();
      startedIds.push(id);
      if (startedIds.length % START_BATCH === 0) await new Promise((r) => setImmediate(r));
    }
    this.configLoaded = true;
    if (this.shared) this.shared.want(this.schedules(), startedIds.length + stopped.length > 0);
    const running = this.sourceIds;
    for (const publisher of this.publishers) publisher.sourcesApplied?.({ running, started: startedIds, stopped });
    return { started: startedIds, stopped, unchanged };
  }

  createRunner(prepared: PreparedSource): SourceRunner {
    return new SourceRunner({
      source: prepared.source,
      plugin: prepared.plugin,
      loadError: prepared.loadError,
      options: prepared.options,
      settings: prepared.settings,
      sink: this.storage,
      scheduler: this.scheduler,
      logger: this.logger,
      redactor: this.redactor,
      observer: this.observer,
      now: this.options.now,
      backoffBaseMs: this.options.backoffBaseMs,
      onStandbyCheck: this.standbyCheck,
      shared: this.shared !== null,
      shareToken: this.shared?.tokenShare(prepared.source),
    });
  }

  /** The schedules of the sources that can run here (enabled, plugin loaded, credentials present). */
  private schedules(): Map<string, Schedule> {
    const out = new Map<string, Schedule>();
    for (const [id, { runner }] of this.runners) {
      const schedule = runner.runSchedule;
      if (schedule) out.set(id, schedule);
    }
    return out;
  }

  /** Starts taking runs from the shared scheduler (after the first `apply`). */
  startShared(): void {
    this.shared?.start((id) => this.runner(id));
  }

  /** Reads what the other hosts ran, for the next report (a shared scheduler; at most every 2 s). */
  async freshen(): Promise<void> {
    await this.shared?.refresh();
  }

  /** A source's report: its own, or with a shared scheduler the newest run's, whichever host ran it. */
  sourceReport(id: string): SourceHealth | undefined {
    const runner = this.runner(id);
    return runner && this.report(runner);
  }

  private report(runner: SourceRunner): SourceHealth {
    const own = this.sourceHealth(runner);
    return this.shared ? this.shared.sourceHealth(runner.id, own) : own;
  }

  /** Shows a plugin's fault found outside its runs (see SourceRunner.reportFault) on these sources. */
  reportFault(sourceIds: readonly string[], message: string): void {
    for (const id of sourceIds) this.runner(id)?.reportFault(message);
  }

  runner(id: string): SourceRunner | undefined {
    return this.runners.get(id)?.runner;
  }

  get sourceIds(): string[] {
    return [...this.runners.keys()];
  }

  /** Once the config is loaded and every enabled source has run once (or settled in standby). */
  ready(): boolean {
    return this.configLoaded && [...this.runners.values()].every(({ runner }) => runner.settled);
  }

  health(): HealthReport {
    const sources: Record<string, SourceHealth> = {};
    const storage = this.storage.health();
    let worst: Status = storage.status;
    for (const [id, { runner }] of this.runners) {
      const h = this.report(runner);
      sources[id] = h;
      if (RANK[h.status] > RANK[worst]) worst = h.status;
    }
    const blocks: HealthBlocks = {};
    for (const publisher of this.publishers) Object.assign(blocks, publisher.healthBlocks?.());
    if (this.shared) {
      const shared = this.shared.healthBlocks();
      Object.assign(blocks, shared);
      if (RANK[shared.scheduler.status] > RANK[worst]) worst = shared.scheduler.status;
    }
    return {
      status: worst,
      version: this.options.version,
      uptime_seconds: Math.round((this.now() - this.started) / 100) / 10,
      storage,
      ...blocks,
      sources,
    };
  }

  /**
   * One source's report. A source whose state cannot be reported (a bug) is shown in error with
   * why, and the report of the others is still answered.
   */
  private sourceHealth(runner: SourceRunner): SourceHealth {
    try {
      return runner.health();
    } catch (err) {
      const message = this.redactor.redact(`its health could not be reported: ${String((err as Error)?.message ?? err)}`);
      this.logger.error({ source: runner.id, err }, message);
      return brokenHealth(runner, message, this.now());
    }
  }

  /** Stops every source (in reverse start order), waiting up to `graceMs` for runs in flight. */
  async stop(graceMs = 5000): Promise<void> {
    // No new runs from the shared scheduler; those in flight get `graceMs` (a tick left is taken over by another host).
    await this.shared?.close(graceMs);
    const all = [...this.runners.values()].reverse();
    await Promise.all(all.map(({ runner }) => runner.stop(graceMs)));
    this.runners.clear();
  }
}
