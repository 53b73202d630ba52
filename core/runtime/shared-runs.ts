import { randomUUID } from 'node:crypto';
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { RedisSchedulerConfig, SourceConfig } from '../config/types.js';
import type { Schedule } from './schedule.js';
import type { TokenShare } from './source-auth.js';
import type { SourceRunner } from './source-runner.js';
import type { SourceHealth } from './source-state.js';
import {
  forgotten,
  hostEntry,
  HEARTBEAT_MS,
  displayUrl,
  parseJson,
  readHeartbeat,
  type Heartbeat,
  type HostEntry,
  type SchedulerHealth,
  type SharedSourceFields,
} from './shared-health.js';
import { JobSchedulers } from './job-schedulers.js';
import { settlesWithin } from './run.js';
import { RunReports } from './run-reports.js';
import { redisTokenShare } from './shared-tokens.js';

export interface SharedRunsDeps {
  config: RedisSchedulerConfig;
  logger: Logger;
  /** Hides secrets in a message (an error of Redis may carry its URL). */
  redact: (text: string) => string;
  version: string;
}

/** The BullMQ queue every host takes its sources' runs from. */
const QUEUE = 'sources';
/**
 * A run's lock: renewed every 15 s while the host is alive, so a run may last longer; a host killed
 * mid-run holds it at most 30 s, then the stalled-job check (every 15 s) hands the tick to another
 * host: taken over within 45 s.
 */
const LOCK_MS = 30_000;
const STALLED_CHECK_MS = 15_000;
/** Runs in flight per host at once. */
const CONCURRENCY = 200;
/** How long a job for a source this host does not know waits before another host (or this one, its config re-read) takes it. */
const NOT_HERE_DELAY_MS = 2_000;
/** Runs' reports are sent to Redis in one command per second, not one per run. */
const FLUSH_MS = 1_000;

/** The tick a job of a job scheduler stands for: in its id (`repeat:<scheduler>:<millis>`). */
export function tickOf(job: Pick<Job, 'id' | 'timestamp'>): number {
  const match = /:(\d+)$/.exec(job.id ?? '');
  return match ? Number(match[1]) : job.timestamp;
}


/**
 * Sources shared by several hosts through BullMQ on Redis (`scheduler.type: redis`). Each enabled
 * source is one job scheduler (id = source id), every host runs one Worker, and BullMQ hands each
 * tick to exactly one host; a tick whose host died is taken over once its lock lapses. Runs report
 * to Redis so that any host's `/health` shows every source; hosts beat every 5 s.
 */
export class SharedRuns {
  readonly hostId: string;
  private readonly prefix: string;
  private readonly instance = randomUUID();
  private readonly started = Date.now();
  /** BullMQ's connection (workers need `maxRetriesPerRequest: null`). */
  private readonly connection: Redis;
  /** Our own commands: fail fast while Redis is away, so `/health` never waits on it. */
  private readonly client: Redis;
  private readonly subscriber: Redis;
  private readonly queue: Queue;
  private worker: Worker | null = null;
  private runnerOf: (id: string) => SourceRunner | undefined = () => undefined;
  /** Called when another host changed the schedulers, or a job names a source this host does not know. */
  onConfigChanged: (() => void) | undefined;

  private readonly schedulers: JobSchedulers;

  private connected = false;
  private lastError: { at: string; message: string } | null = null;
  private errorSaid = false;
  private timer: NodeJS.Timeout | null = null;
  private ticks = 0;

  private runs = 0;
  private running = 0;
  private readonly sourcesRun = new Set<string>();
  private takenOver = 0;
  private readonly unknownSaid = new Set<string>();
  private recheckedAt = 0;
  private readonly reports: RunReports;

  constructor(private readonly deps: SharedRunsDeps) {
    const { config } = deps;
    this.hostId = config.host_id;
    this.prefix = config.prefix;
    const login: RedisOptions = { ...(config.username ? { username: config.username } : {}), ...(config.password ? { password: config.password } : {}) };
    this.connection = new Redis(config.url, { ...login, maxRetriesPerRequest: null });
    this.client = new Redis(config.url, { ...login, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000 });
    this.subscriber = new Redis(config.url, { ...login, maxRetriesPerRequest: null });
    for (const redis of [this.connection, this.subscriber]) redis.on('error', () => undefined); // said through `client`
    this.client.on('error', (err) => this.redisFailed(err));
    // A dropped connection is said at once; the failed reconnects then say why (`redisFailed`).
    this.client.on('close', () => {
      if (this.connected && !this.schedulers.closed) this.redisFailed(new Error('the connection was closed'));
      this.connected = false;
    });
    this.client.on('ready', () => this.redisReady());
    this.queue = new Queue(QUEUE, { connection: this.connection, prefix: this.prefix });
    this.queue.on('error', () => undefined);
    this.schedulers = new JobSchedulers({
      queue: this.queue,
      client: this.client,
      prefix: this.prefix,
      instance: this.instance,
      hostId: this.hostId,
      logger: deps.logger,
      connected: () => this.connected,
      onRedisError: (err) => this.redisFailed(err),
    });
    this.reports = new RunReports({
      client: this.client,
      prefix: this.prefix,
      repeatKey: this.queue.keys.repeat!,
      connected: () => this.connected,
      healthOf: (id) => this.runnerOf(id)?.health(),
      onRedisError: (err) => this.redisFailed(err),
    });
    void this.subscriber.subscribe(this.key('events')).catch(() => undefined);
    this.subscriber.on('message', (_channel, message) => {
      const event = parseJson<{ host?: string; instance?: string }>(message);
      if (event && event.instance !== this.instance) this.onConfigChanged?.();
    });
  }

  private key(name: string): string {
    return `${this.prefix}:${name}`;
  }

  /** Starts taking runs; `runnerOf` finds the runner of a job's source. */
  start(runnerOf: (id: string) => SourceRunner | undefined): void {
    this.runnerOf = runnerOf;
    this.worker = new Worker(QUEUE, (job, token) => this.process(job, token), {
      connection: this.connection,
      prefix: this.prefix,
      concurrency: CONCURRENCY,
      lockDuration: LOCK_MS,
      stalledInterval: STALLED_CHECK_MS,
      maxStalledCount: 1,
    });
    this.worker.on('error', (err) => this.redisFailed(err));
    this.worker.on('stalled', (jobId) => {
      this.takenOver += 1;
      this.deps.logger.warn({ job: jobId, host: this.hostId }, 'a run left by a host that stopped mid-run is back in the queue, for a live host to run');
    });
    this.timer = setInterval(() => this.everySecond(), FLUSH_MS);
    this.timer.unref();
    void this.beat();
  }

  /** The token of a source with a login, obtained by one host at a time and shared. */
  tokenShare(source: SourceConfig): TokenShare {
    return redisTokenShare({
      client: this.client,
      prefix: this.prefix,
      sourceId: source.id,
      credentials: source.credentials,
      hostId: this.hostId,
      onRedisError: (err) => this.redisFailed(err),
    });
  }

  /** The sources this host's config runs, with their schedules: reconciled into job schedulers. */
  want(schedules: ReadonlyMap<string, Schedule>, changed = false): void {
    this.schedulers.want(schedules, changed);
  }

  /** A job: one tick of one source, run here. */
  private async process(job: Job, token: string | undefined): Promise<unknown> {
    const id = job.name;
    const runner = this.runnerOf(id);
    if (!runner?.runSchedule) return this.notHere(job, token, id);
    const tick = tickOf(job);
    const started = Date.now();
    this.running += 1;
    try {
      const outcome = await runner.runTick(tick);
      this.runs += 1;
      this.sourcesRun.add(id);
      this.reports.record(id, { host: this.hostId, tick, started, ended: Date.now() });
      return { ok: outcome.ok, points: outcome.points.length };
    } finally {
      this.running -= 1;
    }
  }

  /**
   * A tick of a source this host does not run: removed from the config (the job is done), or added
   * on another host whose config this host has not read yet: re-read it, and let the tick wait 2 s.
   */
  private async notHere(job: Job, token: string | undefined, id: string): Promise<unknown> {
    if (!this.schedulers.has(id) && !(await this.queue.getJobScheduler(id))) return { skipped: 'the source is no longer in the config' };
    if (!this.unknownSaid.has(id)) {
      this.unknownSaid.add(id);
      this.deps.logger.warn({ source: id, host: this.hostId }, 'a tick of a source this host cannot run (not in its config, or without credentials here): reading the config again, the tick waits');
    }
    // Once per 10 s at most: with many such ticks, one re-read of the config serves them all.
    if (Date.now() - this.recheckedAt > 10_000) {
      this.recheckedAt = Date.now();
      this.onConfigChanged?.();
    }
    await job.moveToDelayed(Date.now() + NOT_HERE_DELAY_MS, token);
    throw new DelayedError();
  }

  private everySecond(): void {
    void this.reports.flush();
    if (++this.ticks % (HEARTBEAT_MS / FLUSH_MS) === 0) void this.beat();
  }

  private heartbeat(stopped = false): Heartbeat {
    return {
      id: this.hostId,
      instance: this.instance,
      started: this.started,
      at: Date.now(),
      sources_run: this.sourcesRun.size,
      runs: this.runs,
      running: this.running,
      version: this.deps.version,
      ...(stopped ? { stopped } : {}),
    };
  }

  /** Says this host is alive; a second live process with this `host_id` is said as an error. */
  private async beat(stopped = false): Promise<void> {
    if (!this.connected) return;
    const hosts = this.key('hosts');
    try {
      const other = readHeartbeat(await this.client.hget(hosts, this.hostId));
      if (other && other.instance !== this.instance && !other.stopped && Date.now() - other.at < HEARTBEAT_MS * 2) {
        this.deps.logger.error({ host_id: this.hostId }, `another running host uses host_id ${this.hostId}: give each host its own scheduler.host_id`);
      }
      await this.client.hset(hosts, this.hostId, JSON.stringify(this.heartbeat(stopped)));
    } catch (err) {
      this.redisFailed(err);
    }
  }

  /** Reads the other hosts' reports for `/health` (at most every 2 s). */
  refresh(): Promise<void> {
    return this.reports.refresh();
  }

  /** A source's `/health` object with the shared fields (the newest run's report, whoever ran it). */
  sourceHealth(id: string, local: SourceHealth): SourceHealth & SharedSourceFields {
    return this.reports.sourceHealth(id, local);
  }

  /** `/health`'s `scheduler` and `hosts` blocks. */
  healthBlocks(): { scheduler: SchedulerHealth; hosts: HostEntry[] } {
    const now = Date.now();
    const others = this.reports.heartbeats.filter((b) => b.id !== this.hostId && !forgotten(b, now));
    const hosts = [...others, this.heartbeat()].map((b) => hostEntry(b, now)).sort((a, b) => a.id.localeCompare(b.id));
    return {
      scheduler: {
        type: 'redis',
        status: this.connected ? 'healthy' : 'error',
        connected: this.connected,
        host_id: this.hostId,
        redis: displayUrl(this.deps.config.url),
        prefix: this.prefix,
        sources_scheduled: this.reports.scheduled,
        runs_taken_over: this.takenOver,
        last_error: this.lastError,
      },
      hosts,
    };
  }

  private redisFailed(err: unknown): void {
    const message = this.deps.redact(`Redis at ${displayUrl(this.deps.config.url)}: ${(err as Error)?.message ?? String(err)}`);
    this.lastError = { at: new Date().toISOString(), message };
    if (this.errorSaid) return;
    this.errorSaid = true;
    this.deps.logger.error({ err: message }, 'shared scheduler: Redis is unreachable; no runs start here until it is back (/health still answers)');
  }

  private redisReady(): void {
    this.connected = true;
    if (this.errorSaid) this.deps.logger.info('shared scheduler: Redis is back; runs resume');
    this.errorSaid = false;
    // Redis may have restarted empty: the schedulers are upserted again where they are missing.
    void this.schedulers.reconcile();
    void this.beat();
  }

  /** Stops taking runs, gives those in flight `graceMs`, says this host stopped, closes the connections. */
  async close(graceMs: number): Promise<void> {
    this.schedulers.closed = true;
    if (this.timer) clearInterval(this.timer);
    const worker = this.worker;
    if (worker) {
      // Each step within its time (settlesWithin clears its timer: a host that stopped at once exits at once).
      const closed = await settlesWithin(worker.close(), graceMs).catch(() => false);
      if (!closed) await settlesWithin(worker.close(true), 1_000).catch(() => false);
    }
    await settlesWithin(this.reports.flush().then(() => this.beat(true)), 1_000).catch(() => false);
    await settlesWithin(this.queue.close(), 1_000).catch(() => false);
    for (const redis of [this.client, this.subscriber, this.connection]) redis.disconnect();
  }
}
