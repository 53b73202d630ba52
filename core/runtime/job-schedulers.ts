import { setTimeout as sleep } from 'node:timers/promises';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { releaseLock, takeLock } from './redis-lock.js';
import type { Schedule } from './schedule.js';

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

export interface JobSchedulersDeps {
  queue: Queue;
  /** Fails fast while Redis is away. */
  client: Redis;
  prefix: string;
  /** This process among the hosts (the lock's owner, the sender of the events). */
  instance: string;
  hostId: string;
  logger: Logger;
  /** Whether Redis is reachable now: a reconcile waits for it (`redisReady` calls `reconcile`). */
  connected: () => boolean;
  onRedisError: (err: unknown) => void;
}

/**
 * The job schedulers in Redis, one per source, kept equal to the sources of this host's config.
 * Upserts what is new or changed and removes what the config no longer has; never
 * remove-then-upsert (BullMQ #3063). One host at a time (a lock), and only the differences
 * against `<prefix>:schedules`: four hosts starting with 100,000 sources upsert them once.
 */
export class JobSchedulers {
  /** Source id → its repeat options as JSON, as this host's config wants them. */
  private wanted: Map<string, string> | null = null;
  private reconciling: Promise<void> | null = null;
  private again = false;
  private reconciledOnce = false;
  /** Tell the other hosts after the next reconcile that the sources changed. */
  private announce = false;
  closed = false;

  constructor(private readonly deps: JobSchedulersDeps) {}

  private key(name: string): string {
    return `${this.deps.prefix}:${name}`;
  }

  /** Whether this host's config has the source (with a schedule it can run). */
  has(id: string): boolean {
    return this.wanted?.has(id) ?? false;
  }

  /** The sources this host's config runs; `changed`: a reload changed sources (their options too). */
  want(schedules: ReadonlyMap<string, Schedule>, changed: boolean): void {
    const wanted = new Map<string, string>();
    for (const [id, schedule] of schedules) wanted.set(id, JSON.stringify(schedule.repeat));
    this.wanted = wanted;
    // Announced, so the other hosts read their config.
    if (changed && this.reconciledOnce) this.announce = true;
    void this.reconcile();
  }

  /** Reconciles (again, once the one in progress ends, when the wanted set changed meanwhile). */
  reconcile(): Promise<void> {
    if (this.reconciling) {
      this.again = true;
      return this.reconciling;
    }
    this.reconciling = (async () => {
      do {
        this.again = false;
        try {
          await this.reconcileNow();
        } catch (err) {
          // Redis is away: done when it is back.
          this.deps.onRedisError(err);
          break;
        }
      } while (this.again);
    })().finally(() => (this.reconciling = null));
    return this.reconciling;
  }

  private async reconcileNow(): Promise<void> {
    const { client, queue, logger } = this.deps;
    const wanted = this.wanted;
    if (!wanted || this.closed || !this.deps.connected()) return;
    const lock = this.key('reconcile-lock');
    while (!(await takeLock(client, lock, this.deps.instance, 120_000))) await sleep(250);
    try {
      const began = Date.now();
      const known = await client.hgetall(this.key('schedules'));
      const inRedis = await client.zcard(queue.keys.repeat!);
      // Schedulers lost without our record of them (a Redis emptied): upsert everything.
      const trusted = inRedis === Object.keys(known).length;
      const upserts = [...wanted].filter(([id, repeat]) => !trusted || known[id] !== repeat);
      const removals = Object.keys(known).filter((id) => !wanted.has(id));
      if (upserts.length > 1000) logger.info({ sources: upserts.length }, 'shared scheduler: adding the sources to Redis');
      for (let i = 0; i < upserts.length; i += UPSERT_BATCH) {
        await Promise.all(upserts.slice(i, i + UPSERT_BATCH).map(([id, repeat]) => this.upsert(id, repeat)));
        if (upserts.length > 1000 && (i / UPSERT_BATCH) % 20 === 19) logger.info({ done: i + UPSERT_BATCH, of: upserts.length }, 'shared scheduler: adding the sources');
      }
      for (const id of removals) {
        await queue.removeJobScheduler(id);
        await client.hdel(this.key('schedules'), id);
      }
      const changed = upserts.length + removals.length > 0;
      if (changed) logger.info({ upserted: upserts.length, removed: removals.length, seconds: (Date.now() - began) / 1000 }, 'shared scheduler: job schedulers reconciled with the config');
      if ((changed && this.reconciledOnce) || this.announce) {
        this.announce = false;
        await client.publish(this.key('events'), JSON.stringify({ host: this.deps.hostId, instance: this.deps.instance }));
      }
      this.reconciledOnce = true;
    } finally {
      await releaseLock(client, lock, this.deps.instance).catch(() => undefined);
    }
  }

  /** One source's job scheduler; `every` ticks fall on clock multiples (every 10 s: :00, :10, …). */
  private async upsert(id: string, repeatJson: string): Promise<void> {
    const repeat = JSON.parse(repeatJson) as Schedule['repeat'];
    const startDate = (every: number) => Math.ceil((Date.now() + FIRST_TICK_MARGIN_MS) / every) * every;
    const options = 'every' in repeat ? { every: repeat.every, startDate: startDate(repeat.every) } : { pattern: repeat.pattern };
    await this.deps.queue.upsertJobScheduler(id, options, { name: id, data: {}, opts: { removeOnComplete: true, removeOnFail: 1000 } });
    await this.deps.client.hset(this.key('schedules'), id, repeatJson);
  }
}
