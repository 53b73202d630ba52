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
/** node-cron's matcher of a task: the next matching second strictly after a date (about 45 µs). */
type TimeMatcher = { getNextMatch(after: Date): Date };

interface SharedMatcher {
  task: CronTask;
  matcher: TimeMatcher | null;
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
    const task = cron.createTask(expression, () => undefined);
    const matcher = (task as unknown as { timeMatcher?: TimeMatcher }).timeMatcher;
    shared = { task, matcher: typeof matcher?.getNextMatch === 'function' ? matcher : null, users: 0, second: NaN, next: 0 };
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
    let next: number;
    if (shared.matcher) next = shared.matcher.getNextMatch(after).getTime();
    else {
      // node-cron without its matcher exposed: its public API only looks forward from "now".
      const found = shared.task.getNextRuns(3).find((d) => d.getTime() > after.getTime());
      next = found ? found.getTime() : after.getTime() + 60_000;
    }
    shared.second = second;
    shared.next = next;
  }
  return new Date(shared.next);
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
