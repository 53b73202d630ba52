import cron from 'node-cron';
import { parseDuration } from '../plugin-api/duration.js';

/** When a source runs next. */
export interface Schedule {
  /** As the user wrote it (`*\/5 * * * *`, `every 5m`). */
  readonly description: string;
  /** The next run strictly after `after`. */
  next(after: Date): Date;
  /** The same schedule as a BullMQ job scheduler's repeat options (a scheduler shared by several hosts). */
  readonly repeat: { every: number } | { pattern: string };
  /** Releases what the schedule holds. */
  dispose(): void;
}

type CronTask = ReturnType<typeof cron.createTask>;

interface SharedMatcher {
  task: CronTask;
  users: number;
  /** The last answer, by the whole second it was asked after: sources of one expression ask together. */
  second: number;
  next: number;
}

/**
 * node-cron tasks shared by expression. A task is only used as a time matcher (never started), so
 * sources with the same expression share one; a task costs about 10 KB, which with 10,000 sources
 * was the largest part of the host's memory (test/bench/scale.ts: 528 MiB before, see README).
 * Sources of one expression also ask for their next run together (after the runs of a minute):
 * the answer is kept per second, so 10,000 sources cost one match, not 10,000 (each 45-130 µs).
 */
const matchers = new Map<string, SharedMatcher>();

function acquire(expression: string): SharedMatcher {
  let shared = matchers.get(expression);
  if (!shared) {
    shared = { task: cron.createTask(expression, () => undefined), users: 0, second: NaN, next: 0 };
    matchers.set(expression, shared);
  }
  shared.users += 1;
  return shared;
}

function release(expression: string): void {
  const shared = matchers.get(expression);
  if (!shared || --shared.users > 0) return;
  matchers.delete(expression);
  void shared.task.destroy();
}

/** The next match strictly after `after` (whole seconds: equal for every `after` in one second). */
function nextMatch(shared: SharedMatcher, after: Date): Date {
  const second = Math.floor(after.getTime() / 1000);
  if (shared.second !== second) {
    shared.second = second;
    shared.next = nextAfter(shared.task, after.getTime());
  }
  return new Date(shared.next);
}

/**
 * The first match of `task` strictly after `after` (ms). node-cron's public API looks forward from
 * now (`getNextRuns`); a time ahead of now (a test's clock) is reached by walking its matches.
 */
function nextAfter(task: CronTask, after: number): number {
  for (let count = 4; count <= 1024; count *= 4) {
    const runs = task.getNextRuns(count);
    const found = runs.find((d) => d.getTime() > after);
    if (found) return found.getTime();
    if (runs.length < count) break;
  }
  return after + 60_000;
}

/** A node-cron expression, seconds field allowed. node-cron computes the matches. */
class CronSchedule implements Schedule {
  // Never started: only its time matcher is used, so that one timer (the Scheduler's) serves
  // every source instead of one timer per source.
  private readonly shared: SharedMatcher;
  private disposed = false;
  constructor(readonly description: string) {
    this.shared = acquire(description);
  }
  get repeat(): { pattern: string } {
    return { pattern: this.description };
  }
  next(after: Date): Date {
    return nextMatch(this.shared, after);
  }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    release(this.description);
  }
}

class IntervalSchedule implements Schedule {
  constructor(
    readonly description: string,
    private readonly ms: number,
  ) {}
  get repeat(): { every: number } {
    return { every: this.ms };
  }
  next(after: Date): Date {
    return new Date(after.getTime() + this.ms);
  }
  dispose(): void {}
}

/**
 * Builds the schedule of a source: its `schedule` (cron) or `interval`, else the plugin's default
 * (either form), else every 5 minutes. The config loader has validated both forms already.
 */
export function buildSchedule(source: { schedule?: string; interval?: string }, pluginDefault?: string): Schedule {
  if (source.schedule) return new CronSchedule(source.schedule);
  const interval = source.interval ?? pluginDefault ?? '5m';
  const ms = parseDuration(interval);
  if (ms !== undefined && ms > 0) return new IntervalSchedule(`every ${interval}`, ms);
  return new CronSchedule(interval);
}
