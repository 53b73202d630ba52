import { historicalWindows } from './client.js';

/**
 * Which stretches of `/v3/historical` a run reads, region by region, so that the stored history
 * has no holes: the last `backfill` hours at start (or back to the last success, when the host
 * knows one), then from the newest point received onwards. A gap is read in windows of at most
 * {@link WINDOW_DAYS} days and at most {@link WINDOWS_PER_RUN} windows a run; a longer gap is
 * finished by the following runs.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Days a request spans: well inside WattTime's 32-day limit, and quick (a 30-day pull has been
 * seen to take more than 180 s upstream, 10 days about 11 s). */
export const WINDOW_DAYS = 7;
/** Windows read per region and run, so that one run stays well inside its time limit. */
export const WINDOWS_PER_RUN = 4;
/** The longest gap filled back to the last success when that is older than `backfill`. */
export const MAX_GAP_DAYS = 30;
/** WattTime publishes within minutes to a few hours; a window older than this that brought no
 * points has none to come, so the history moves on past it instead of asking again forever. */
export const SETTLED_MS = 6 * HOUR_MS;

export interface TimeWindow {
  start: Date;
  end: Date;
}

/** Where a region's history stands: read through `until`; the next request starts at `from`. */
interface Mark {
  from: number;
  until: number;
}

export class HistoricalBackfill {
  private readonly marks = new Map<string, Mark>();
  /** What the current run has read, applied by {@link commit} once its points are handed over. */
  private readonly pending = new Map<string, Mark>();

  /** @param hours the `backfill` option: hours read at start. */
  constructor(private readonly hours: number) {}

  /** The windows to read for `region` in this run, oldest first; empty when nothing is due. */
  windows(region: string, now: number, lastSuccess: Date | null): TimeWindow[] {
    const from = this.mark(region)?.from ?? this.firstStart(now, lastSuccess);
    if (from > now) return [];
    return historicalWindows(new Date(from), new Date(now), WINDOW_DAYS).slice(0, WINDOWS_PER_RUN);
  }

  /**
   * Records what a window brought (the point times). The next request starts at the newest point,
   * inclusive: that one point is read again (InfluxDB keeps the last write), so every run hands
   * over the current historical value, and a late revision of it is not missed.
   */
  record(region: string, window: TimeWindow, times: readonly Date[], now: number): void {
    const mark = { ...(this.mark(region) ?? { from: window.start.getTime(), until: window.start.getTime() - 1 }) };
    const newest = times.reduce((max, t) => Math.max(max, t.getTime()), Number.NEGATIVE_INFINITY);
    if (Number.isFinite(newest) && newest >= mark.from) [mark.from, mark.until] = [newest, Math.max(mark.until, newest)];
    const end = window.end.getTime();
    if (end < now - SETTLED_MS && end >= mark.from) [mark.from, mark.until] = [end + 1, end];
    this.pending.set(region, mark);
  }

  /** The run's points were returned: what it read counts as read. */
  commit(): void {
    for (const [region, mark] of this.pending) this.marks.set(region, mark);
    this.pending.clear();
  }

  /** The run failed and its points are lost: the next run reads the same stretches again. */
  discard(): void {
    this.pending.clear();
  }

  /** Up to when each region's history has been read, for the health API's `details`. */
  progress(): Record<string, string> {
    return Object.fromEntries([...this.marks].map(([region, mark]) => [region, new Date(mark.until).toISOString()]));
  }

  private mark(region: string): Mark | undefined {
    return this.pending.get(region) ?? this.marks.get(region);
  }

  private firstStart(now: number, lastSuccess: Date | null): number {
    const backfillStart = now - this.hours * HOUR_MS;
    if (!lastSuccess) return backfillStart;
    const oldest = now - Math.max(this.hours * HOUR_MS, MAX_GAP_DAYS * DAY_MS);
    return Math.min(backfillStart, Math.max(lastSuccess.getTime(), oldest));
  }
}
