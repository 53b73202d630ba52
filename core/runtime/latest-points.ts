import type { Point } from '../plugin-api/point.js';
import { SeriesIndex } from '../plugin-api/latest.js';

/**
 * The points `/api/sources/:id/latest` answers from: per series, the points of the newest run
 * that had that series, so a series one run did not bring (a failed item) keeps its last values.
 */
export class LatestPoints {
  private readonly series = new SeriesIndex();
  private runs = 0;
  /** The series' points as one list, built when `/latest` asks rather than after every run. */
  private flat: Point[] | null = [];

  keep(points: readonly Point[]): void {
    if (points.length === 0) return;
    const run = ++this.runs;
    for (const p of points) {
      const series = this.series.find(p);
      // The first point of this run in a series replaces what an earlier run left there.
      if (series.round !== run) {
        series.round = run;
        series.points = [];
      }
      series.points.push(p);
    }
    this.flat = null;
  }

  get points(): Point[] {
    return (this.flat ??= this.series.all.flatMap((s) => s.points));
  }
}
