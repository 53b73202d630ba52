import type { Point } from '../plugin-api/point.js';
import { SeriesIndex, type Series } from '../plugin-api/latest.js';

/** What of a run `/latest` keeps: its points, and whether some of its items failed. */
export interface KeptRun {
  points: readonly Point[];
  errors: readonly unknown[];
}

/**
 * The points `/api/sources/:id/latest` answers from. A complete run replaces every series, so a
 * series it no longer brings (a deleted calendar event) is gone; after a run with failed items,
 * the series it did not bring keep their last values. At most `maxSeries` series are kept: the
 * least recently brought go first.
 */
export class LatestPoints {
  private series = new SeriesIndex();
  private runs = 0;
  /** The series' points as one list, built when `/latest` asks rather than after every run. */
  private flat: Point[] | null = [];

  keep(run: KeptRun, maxSeries = Infinity): void {
    if (run.points.length === 0) return;
    if (run.errors.length === 0) this.series = new SeriesIndex();
    const round = ++this.runs;
    for (const p of run.points) {
      const series = this.series.find(p);
      // The first point of this run in a series replaces what an earlier run left there.
      if (series.round !== round) {
        series.round = round;
        series.points = [];
      }
      series.points.push(p);
    }
    if (this.series.all.length > maxSeries) this.series = newest(this.series.all, maxSeries);
    this.flat = null;
  }

  get points(): Point[] {
    return (this.flat ??= this.series.all.flatMap((s) => s.points));
  }
}

/** An index of the `max` most recently brought of `all` (a stable sort keeps first-seen order within a run). */
function newest(all: readonly Series[], max: number): SeriesIndex {
  const kept = new Set([...all].sort((a, b) => b.round - a.round).slice(0, max));
  const index = new SeriesIndex();
  for (const s of all) {
    if (!kept.has(s)) continue;
    const series = index.find(s.points[0]!);
    series.round = s.round;
    series.points = s.points;
  }
  return index;
}
