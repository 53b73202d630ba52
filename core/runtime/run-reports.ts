import type { Redis } from 'ioredis';
import { settlesWithin } from './run.js';
import type { SourceHealth } from './source-state.js';
import { forgotten, mergeSourceHealth, readHeartbeat, readRunRecord, type Heartbeat, type RunRecord, type SharedSourceFields } from './shared-health.js';

/** `/health` reads the other hosts' reports at most this often. */
const REFRESH_MS = 2_000;

export interface RunReportsDeps {
  /** Fails fast while Redis is away. */
  client: Redis;
  prefix: string;
  /** BullMQ's sorted set of job schedulers, scored by their next tick. */
  repeatKey: string;
  connected: () => boolean;
  /** The report of a source run here (its runner's health), read when it is sent. */
  healthOf: (id: string) => SourceHealth | undefined;
  onRedisError: (err: unknown) => void;
}

/**
 * What the hosts sharing the sources tell each other for `/health`: each source's newest run
 * (`<prefix>:runs`, sent once a second in one HSET for all runs), the hosts' heartbeats
 * (`<prefix>:hosts`) and the schedulers' next ticks, read at most every 2 s when asked.
 */
export class RunReports {
  /** Runs of this host not yet sent to Redis. */
  private pending = new Set<string>();
  /** Every run known, this host's and the others', the newest per source. */
  private readonly records = new Map<string, RunRecord>();
  private readonly nextTicks = new Map<string, number>();
  /** The heartbeats read last, this host's included. */
  heartbeats: Heartbeat[] = [];
  /** Job schedulers known in Redis (null until read). */
  scheduled: number | null = null;
  private refreshedAt = 0;
  private refreshing: Promise<void> | null = null;

  constructor(private readonly deps: RunReportsDeps) {}

  private key(name: string): string {
    return `${this.deps.prefix}:${name}`;
  }

  /** A run of this host: its report is read from its runner when it is sent, not kept twice. */
  record(id: string, record: RunRecord): void {
    this.records.set(id, record);
    this.pending.add(id);
  }

  /** Sends the runs' reports, one HSET for all; kept for the next try while Redis is away. */
  async flush(): Promise<void> {
    if (this.pending.size === 0 || !this.deps.connected()) return;
    const batch = this.pending;
    this.pending = new Set();
    const fields: string[] = [];
    for (const id of batch) {
      const record = this.records.get(id);
      const health = this.deps.healthOf(id);
      if (record && health) fields.push(id, JSON.stringify({ ...record, health }));
    }
    if (fields.length === 0) return;
    try {
      await this.deps.client.hset(this.key('runs'), ...fields);
    } catch (err) {
      for (const id of batch) this.pending.add(id);
      this.deps.onRedisError(err);
    }
  }

  /** Reads the other hosts' reports, at most every 2 s; waits at most 1.5 s for Redis. */
  refresh(): Promise<void> {
    if (Date.now() - this.refreshedAt < REFRESH_MS || !this.deps.connected()) return Promise.resolve();
    // `read` says its own failures; this waits for it at most 1.5 s.
    this.refreshing ??= settlesWithin(this.read(), 1_500)
      .then(() => undefined)
      .finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async read(): Promise<void> {
    const { client } = this.deps;
    try {
      const [runs, hosts, repeat, count] = await Promise.all([
        client.hgetall(this.key('runs')),
        client.hgetall(this.key('hosts')),
        client.zrange(this.deps.repeatKey, 0, -1, 'WITHSCORES'),
        client.hlen(this.key('schedules')),
      ]);
      for (const [id, text] of Object.entries(runs)) {
        const record = readRunRecord(text);
        const known = this.records.get(id);
        if (record && (!known || record.ended > known.ended)) this.records.set(id, record);
      }
      this.nextTicks.clear();
      for (let i = 0; i + 1 < repeat.length; i += 2) this.nextTicks.set(repeat[i]!, Number(repeat[i + 1]));
      const now = Date.now();
      this.heartbeats = Object.values(hosts).map(readHeartbeat).filter((b): b is Heartbeat => b !== null);
      const stale = this.heartbeats.filter((b) => forgotten(b, now)).map((b) => b.id);
      if (stale.length > 0) await client.hdel(this.key('hosts'), ...stale);
      this.scheduled = count;
      this.refreshedAt = now;
    } catch (err) {
      this.deps.onRedisError(err);
    }
  }

  /** A source's `/health` object with the shared fields (the newest run's report, whoever ran it). */
  sourceHealth(id: string, local: SourceHealth): SourceHealth & SharedSourceFields {
    return mergeSourceHealth(local, this.records.get(id), this.nextTicks.get(id), Date.now());
  }
}
