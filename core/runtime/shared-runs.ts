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
  mergeSourceHealth,
  parseJson,
  type Heartbeat,
  type HostEntry,
  type RunRecord,
  type SchedulerHealth,
  type SharedSourceFields,
} from './shared-health.js';
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
/** `/health` reads the other hosts' reports at most this often. */
const REFRESH_MS = 2_000;
/** Upserts sent at once while reconciling. */
const UPSERT_BATCH = 500;
/**
 * A new `every` scheduler's first tick is at least this far ahead. BullMQ starts it at `now` when
 * `startDate` has passed by the time its script runs, and keeps that offset for every later tick:
 * a startDate computed a few milliseconds before a clock multiple put the ticks 1–3 ms past the
 * multiples (seen in test/scale-out/shared-hosts.test.ts). The first tick of a new source comes
 * one interval later at worst.
 */
const FIRST_TICK_MARGIN_MS = 2_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/**
 * The time limit of a Promise.race: its timer does not keep the process alive, so a host that
 * stopped in 2 ms does not linger until the longest limit (the 5 s grace) has passed.
 */
const limit = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** The tick a job of a job scheduler stands for: in its id (`repeat:<scheduler>:<millis>`). */
export function tickOf(job: Pick<Job, 'id' | 'timestamp'>): number {
  const match = /:(\d+)$/.exec(job.id ?? '');
  return match ? Number(match[1]) : job.timestamp;
}

/** The Redis address as `/health` shows it: no username or password. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return 'redis';
  }
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

  /** Source id → its repeat options as JSON, as this host's config wants them. */
  private wanted: Map<string, string> | null = null;
  private reconciling: Promise<void> | null = null;
  private reconcileAgain = false;
  private reconciledOnce = false;
  /** Tell the other hosts after the next reconcile that the sources changed. */
  private announce = false;

  private connected = false;
  private lastError: { at: string; message: string } | null = null;
  private errorSaid = false;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  private ticks = 0;

  private runs = 0;
  private running = 0;
  private readonly sourcesRun = new Set<string>();
  private takenOver = 0;
  private readonly unknownSaid = new Set<string>();
  private recheckedAt = 0;
  /** Reports not yet sent to Redis, and every report known (own runs and other hosts'). */
  private pending = new Set<string>();
  private readonly records = new Map<string, RunRecord>();
  private readonly nextTicks = new Map<string, number>();
  private heartbeats: Heartbeat[] = [];
  private scheduled: number | null = null;
  private refreshedAt = 0;
  private refreshing: Promise<void> | null = null;

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
    this.client.on('close', () => (this.connected = false));
    this.client.on('ready', () => this.redisReady());
    this.queue = new Queue(QUEUE, { connection: this.connection, prefix: this.prefix });
    this.queue.on('error', () => undefined);
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
      this.deps.logger.warn({ job: jobId, host: this.hostId }, 'a run left by a host that stopped mid-run is run again');
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
    const wanted = new Map<string, string>();
    for (const [id, schedule] of schedules) wanted.set(id, JSON.stringify(schedule.repeat));
    this.wanted = wanted;
    // A reload that changed sources (their options too) is announced, so the others read their config.
    if (changed && this.reconciledOnce) this.announce = true;
    void this.reconcile();
  }

  /** Reconciles (again, once the one in progress ends, when the wanted set changed meanwhile). */
  private reconcile(): Promise<void> {
    if (this.reconciling) {
      this.reconcileAgain = true;
      return this.reconciling;
    }
    this.reconciling = (async () => {
      do {
        this.reconcileAgain = false;
        try {
          await this.reconcileNow();
        } catch (err) {
          // Redis is away: done when it is back (`redisReady`).
          this.redisFailed(err);
          break;
        }
      } while (this.reconcileAgain);
    })().finally(() => (this.reconciling = null));
    return this.reconciling;
  }

  /**
   * Upserts the job schedulers whose schedule is new or changed and removes those of sources the
   * config no longer has; never remove-then-upsert (BullMQ #3063). One host at a time (a lock), and
   * only differences against `<prefix>:schedules`: four hosts starting with 100,000 sources upsert
   * them once, not four times.
   */
  private async reconcileNow(): Promise<void> {
    const wanted = this.wanted;
    // Not connected yet (or Redis away): done when Redis is ready (`redisReady`).
    if (!wanted || this.closed || !this.connected) return;
    const lock = this.key('reconcile-lock');
    while ((await this.client.set(lock, this.instance, 'PX', 120_000, 'NX')) !== 'OK') await sleep(250);
    try {
      const began = Date.now();
      const known = await this.client.hgetall(this.key('schedules'));
      const inRedis = await this.client.zcard(this.queue.keys.repeat!);
      // Schedulers lost without our record of them (a Redis emptied): upsert everything.
      const trusted = inRedis === Object.keys(known).length;
      const upserts = [...wanted].filter(([id, repeat]) => !trusted || known[id] !== repeat);
      const removals = Object.keys(known).filter((id) => !wanted.has(id));
      if (upserts.length > 1000) this.deps.logger.info({ sources: upserts.length }, 'shared scheduler: adding the sources to Redis');
      for (let i = 0; i < upserts.length; i += UPSERT_BATCH) {
        await Promise.all(upserts.slice(i, i + UPSERT_BATCH).map(([id, repeat]) => this.upsert(id, repeat)));
        if (upserts.length > 1000 && (i / UPSERT_BATCH) % 20 === 19) this.deps.logger.info({ done: i + UPSERT_BATCH, of: upserts.length }, 'shared scheduler: adding the sources');
      }
      for (const id of removals) {
        await this.queue.removeJobScheduler(id);
        await this.client.hdel(this.key('schedules'), id);
      }
      const changed = upserts.length + removals.length > 0;
      if (changed) this.deps.logger.info({ upserted: upserts.length, removed: removals.length, seconds: (Date.now() - began) / 1000 }, 'shared scheduler: job schedulers reconciled with the config');
      if ((changed && this.reconciledOnce) || this.announce) {
        this.announce = false;
        await this.client.publish(this.key('events'), JSON.stringify({ host: this.hostId, instance: this.instance }));
      }
      this.reconciledOnce = true;
    } finally {
      await this.client.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", 1, lock, this.instance).catch(() => undefined);
    }
  }

  /** One source's job scheduler; `every` ticks fall on clock multiples (every 10 s: :00, :10, …). */
  private async upsert(id: string, repeatJson: string): Promise<void> {
    const repeat = JSON.parse(repeatJson) as Schedule['repeat'];
    const startDate = (every: number) => Math.ceil((Date.now() + FIRST_TICK_MARGIN_MS) / every) * every;
    const options = 'every' in repeat ? { every: repeat.every, startDate: startDate(repeat.every) } : { pattern: repeat.pattern };
    await this.queue.upsertJobScheduler(id, options, { name: id, data: {}, opts: { removeOnComplete: true, removeOnFail: 1000 } });
    await this.client.hset(this.key('schedules'), id, repeatJson);
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
      this.record(id, { host: this.hostId, tick, started, ended: Date.now() });
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
    if (!this.wanted?.has(id) && !(await this.queue.getJobScheduler(id))) return { skipped: 'the source is no longer in the config' };
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

  /** A run of this host: its report (the runner's health) is read when it is sent, not kept twice. */
  private record(id: string, record: RunRecord): void {
    this.records.set(id, record);
    this.pending.add(id);
  }

  private everySecond(): void {
    void this.flush();
    if (++this.ticks % (HEARTBEAT_MS / FLUSH_MS) === 0) void this.beat();
  }

  /** Sends the runs' reports, one HSET for all; kept for the next try while Redis is away. */
  private async flush(): Promise<void> {
    if (this.pending.size === 0 || !this.connected) return;
    const batch = this.pending;
    this.pending = new Set();
    const fields: string[] = [];
    for (const id of batch) {
      const record = this.records.get(id);
      const runner = this.runnerOf(id);
      if (record && runner) fields.push(id, JSON.stringify({ ...record, health: runner.health() }));
    }
    if (fields.length === 0) return;
    try {
      await this.client.hset(this.key('runs'), ...fields);
    } catch (err) {
      for (const id of batch) this.pending.add(id);
      this.redisFailed(err);
    }
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
      const other = parseJson<Heartbeat>(await this.client.hget(hosts, this.hostId));
      if (other && other.instance !== this.instance && !other.stopped && Date.now() - other.at < HEARTBEAT_MS * 2) {
        this.deps.logger.error({ host_id: this.hostId }, `another running host uses host_id ${this.hostId}: give each host its own scheduler.host_id`);
      }
      await this.client.hset(hosts, this.hostId, JSON.stringify(this.heartbeat(stopped)));
    } catch (err) {
      this.redisFailed(err);
    }
  }

  /** Reads the other hosts' reports for `/health`, at most every 2 s; waits at most 1.5 s for Redis. */
  refresh(): Promise<void> {
    if (Date.now() - this.refreshedAt < REFRESH_MS || !this.connected) return Promise.resolve();
    this.refreshing ??= Promise.race([this.readShared(), limit(1_500)]).finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async readShared(): Promise<void> {
    try {
      const [runs, hosts, repeat, count] = await Promise.all([
        this.client.hgetall(this.key('runs')),
        this.client.hgetall(this.key('hosts')),
        this.client.zrange(this.queue.keys.repeat!, 0, -1, 'WITHSCORES'),
        this.client.hlen(this.key('schedules')),
      ]);
      for (const [id, text] of Object.entries(runs)) {
        const record = parseJson<RunRecord>(text);
        const mine = this.records.get(id);
        if (record && (!mine || record.ended > mine.ended)) this.records.set(id, record);
      }
      this.nextTicks.clear();
      for (let i = 0; i + 1 < repeat.length; i += 2) this.nextTicks.set(repeat[i]!, Number(repeat[i + 1]));
      const now = Date.now();
      this.heartbeats = Object.values(hosts).map((text) => parseJson<Heartbeat>(text)).filter((b): b is Heartbeat => b !== null && typeof b.id === 'string');
      const stale = this.heartbeats.filter((b) => forgotten(b, now)).map((b) => b.id);
      if (stale.length > 0) await this.client.hdel(this.key('hosts'), ...stale);
      this.scheduled = count;
      this.refreshedAt = now;
    } catch (err) {
      this.redisFailed(err);
    }
  }

  /** A source's `/health` object with the shared fields (the newest run's report, whoever ran it). */
  sourceHealth(id: string, local: SourceHealth): SourceHealth & SharedSourceFields {
    return mergeSourceHealth(local, this.records.get(id), this.nextTicks.get(id), Date.now());
  }

  /** `/health`'s `scheduler` and `hosts` blocks. */
  healthBlocks(): { scheduler: SchedulerHealth; hosts: HostEntry[] } {
    const now = Date.now();
    const others = this.heartbeats.filter((b) => b.id !== this.hostId && !forgotten(b, now));
    const hosts = [...others, this.heartbeat()].map((b) => hostEntry(b, now)).sort((a, b) => a.id.localeCompare(b.id));
    return {
      scheduler: {
        type: 'redis',
        status: this.connected ? 'healthy' : 'error',
        connected: this.connected,
        host_id: this.hostId,
        redis: displayUrl(this.deps.config.url),
        prefix: this.prefix,
        sources_scheduled: this.scheduled,
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
    if (this.wanted) void this.reconcile();
    void this.beat();
  }

  /** Stops taking runs, gives those in flight `graceMs`, says this host stopped, closes the connections. */
  async close(graceMs: number): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    const worker = this.worker;
    if (worker) {
      const closed = await Promise.race([worker.close().then(() => true), limit(graceMs).then(() => false)]);
      if (!closed) await Promise.race([worker.close(true), limit(1_000)]).catch(() => undefined);
    }
    await Promise.race([this.flush().then(() => this.beat(true)), limit(1_000)]);
    await Promise.race([this.queue.close(), limit(1_000)]).catch(() => undefined);
    for (const redis of [this.client, this.subscriber, this.connection]) redis.disconnect();
  }
}
