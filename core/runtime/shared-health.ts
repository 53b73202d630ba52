import type { SourceHealth, Status } from './source-state.js';

/** A host's heartbeat interval; a host silent for three of them is shown as gone. */
export const HEARTBEAT_MS = 5_000;
export const GONE_AFTER_MS = 3 * HEARTBEAT_MS;
/** A host gone for a day is forgotten. */
const FORGET_AFTER_MS = 86_400_000;

/** What `/health` adds to each source when hosts share the sources. */
export interface SharedSourceFields {
  /** The host that ran it last (null: no host has run it yet). */
  host: string | null;
  /** The tick its last run was for. */
  last_tick: string | null;
  /** Its next tick in the shared scheduler (null: not scheduled there, for example while Redis is away). */
  next_tick: string | null;
  /** How late its last run started after its tick, or how overdue its next tick is (the larger), in seconds. */
  lag_seconds: number | null;
}

/** One entry of the `hosts` block. */
export interface HostEntry {
  id: string;
  /** `up`; `gone` when no heartbeat came for 15 s (a crash, a lost network); `stopped` after a clean stop. */
  status: 'up' | 'gone' | 'stopped';
  last_heartbeat: string;
  started: string;
  /** Distinct sources this host has run since it started. */
  sources_run: number;
  /** Runs since it started. */
  runs: number;
  /** Runs in flight now. */
  running: number;
  version: string;
}

/** The `scheduler` block of `/health` with a shared scheduler. */
export interface SchedulerHealth {
  type: 'redis';
  /** `healthy`; `error` while Redis is unreachable (no runs start, `/health` still answers). */
  status: Status;
  connected: boolean;
  host_id: string;
  /** The Redis address, without credentials. */
  redis: string;
  prefix: string;
  /** Sources with a job scheduler in Redis (null until read). */
  sources_scheduled: number | null;
  /** Ticks left by a host that stopped mid-run that this host found and put back in the queue (BullMQ's stalled jobs). */
  runs_taken_over: number;
  last_error: { at: string; message: string } | null;
}

/** A host's heartbeat as stored in `<prefix>:hosts`. */
export interface Heartbeat {
  id: string;
  /** Random per process: two processes with one `host_id` are told apart. */
  instance: string;
  started: number;
  at: number;
  sources_run: number;
  runs: number;
  running: number;
  version: string;
  stopped?: boolean;
}

/** The last run of a source as stored in `<prefix>:runs` (the health of the host that ran it). */
export interface RunRecord {
  host: string;
  tick: number;
  started: number;
  ended: number;
  /** The source's report after the run (absent for this host's own runs: its runner has it). */
  health?: SourceHealth;
}

export function hostEntry(beat: Heartbeat, now: number): HostEntry {
  const status = beat.stopped ? 'stopped' : now - beat.at > GONE_AFTER_MS ? 'gone' : 'up';
  return {
    id: beat.id,
    status,
    last_heartbeat: new Date(beat.at).toISOString(),
    started: new Date(beat.started).toISOString(),
    sources_run: beat.sources_run,
    runs: beat.runs,
    running: status === 'up' ? beat.running : 0,
    version: beat.version,
  };
}

/** Whether a stored heartbeat is old enough to drop. */
export function forgotten(beat: Heartbeat, now: number): boolean {
  return now - beat.at > FORGET_AFTER_MS;
}

const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < 8.64e15;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * A heartbeat read from Redis, or null when it is not one (another program's key, a version of the
 * host that wrote other fields): one bad entry must not break every host's `/health`.
 */
export function readHeartbeat(text: string | null | undefined): Heartbeat | null {
  const b = parseJson<Partial<Heartbeat>>(text);
  if (!b || typeof b.id !== 'string' || !isTime(b.at) || !isTime(b.started)) return null;
  if (!isCount(b.runs) || !isCount(b.sources_run) || !isCount(b.running)) return null;
  return b as Heartbeat;
}

/** A run's report read from Redis, or null when it is not one (see readHeartbeat). */
export function readRunRecord(text: string | null | undefined): RunRecord | null {
  const r = parseJson<Partial<RunRecord>>(text);
  if (!r || typeof r.host !== 'string' || !isTime(r.tick) || !isTime(r.started) || !isTime(r.ended)) return null;
  if (r.health !== undefined && (typeof r.health !== 'object' || r.health === null || typeof r.health.status !== 'string')) return null;
  return r as RunRecord;
}

export function parseJson<T>(text: string | null | undefined): T | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? (value as T) : null;
  } catch {
    return null;
  }
}

/**
 * A source's `/health` object on a host sharing the sources: the newest run's report, whichever host
 * ran it (this host's own report when none has), with who ran it, its ticks and its lag.
 */
export function mergeSourceHealth(local: SourceHealth, record: RunRecord | undefined, nextTick: number | undefined, now: number): SourceHealth & SharedSourceFields {
  const base: SourceHealth = record?.health ? { ...record.health, plugin: local.plugin, title: local.title, schedule: local.schedule, credentials_configured: local.credentials_configured } : local;
  let lag: number | null = record ? Math.max(0, record.started - record.tick) : null;
  if (nextTick !== undefined && now - nextTick > 5_000) lag = Math.max(lag ?? 0, now - nextTick);
  const next = nextTick === undefined ? null : new Date(nextTick).toISOString();
  return {
    ...base,
    next_run: next ?? base.next_run,
    host: record?.host ?? null,
    last_tick: record ? new Date(record.tick).toISOString() : null,
    next_tick: next,
    lag_seconds: lag === null ? null : Math.round(lag / 100) / 10,
  };
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
