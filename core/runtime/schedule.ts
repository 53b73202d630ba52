import cron from 'node-cron';
import { parseDuration } from '../plugin-api/duration.js';

/** When a source runs next. */
export interface Schedule {
  /** As the user wrote it (`*\/5 * * * *`, `every 5m`). */
  readonly description: string;
  /** The next run strictly after `after`. */
  next(after: Date): Date;
  /** Releases what the schedule holds. */
  dispose(): void;
}

type CronTask = ReturnType<typeof cron.createTask>;

/**
 * node-cron tasks shared by expression. A task is only used as a time matcher (never started), so
 * sources with the same expression share one; a task costs about 10 KB, which with 10,000 sources
 * was the largest part of the host's memory (test/bench/scale.ts: 528 MiB before, see README).
 */
const matchers = new Map<string, { task: CronTask; users: number }>();

function acquire(expression: string): CronTask {
  let shared = matchers.get(expression);
  if (!shared) matchers.set(expression, (shared = { task: cron.createTask(expression, () => undefined), users: 0 }));
  shared.users += 1;
  return shared.task;
}

function release(expression: string): void {
  const shared = matchers.get(expression);
  if (!shared || --shared.users > 0) return;
  matchers.delete(expression);
  void shared.task.destroy();
}

/** A node-cron expression, seconds field allowed. node-cron computes the matches. */
class CronSchedule implements Schedule {
  // Never started: only its time matcher is used, so that one timer (the Scheduler's) serves
  // every source instead of one timer per source.
  private readonly task: CronTask;
  private disposed = false;
  constructor(readonly description: string) {
    this.task = acquire(description);
  }
  next(after: Date): Date {
    // node-cron only looks forward from "now"; `after` is never more than a run or two ahead of it.
    const found = this.task.getNextRuns(3).find((d) => d.getTime() > after.getTime());
    return found ?? new Date(after.getTime() + 60_000);
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
