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

/** A node-cron expression, seconds field allowed. node-cron computes the matches. */
class CronSchedule implements Schedule {
  // A node-cron task that is never started: only its time matcher is used, so that one timer
  // (the Scheduler's) serves every source instead of one timer per source.
  private readonly task: ReturnType<typeof cron.createTask>;
  constructor(readonly description: string) {
    this.task = cron.createTask(description, () => undefined);
  }
  next(after: Date): Date {
    // node-cron only looks forward from "now"; `after` is never more than a run or two ahead of it.
    const found = this.task.getNextRuns(3).find((d) => d.getTime() > after.getTime());
    return found ?? new Date(after.getTime() + 60_000);
  }
  dispose(): void {
    void this.task.destroy();
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
