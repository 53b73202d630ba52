import type { Point } from '../plugin-api/point.js';
import { groupBySeries } from '../plugin-api/latest.js';

/**
 * The points `/api/sources/:id/latest` answers from: per series, the points of the newest run
 * that had that series, so a series one run did not bring (a failed item) keeps its last values.
 */
export class LatestPoints {
  private readonly bySeries = new Map<string, Point[]>();
  /** The series' points as one list, built when `/latest` asks rather than after every run. */
  private flat: Point[] | null = [];

  keep(points: readonly Point[]): void {
    if (points.length === 0) return;
    for (const [key, list] of groupBySeries(points)) this.bySeries.set(key, list);
    this.flat = null;
  }

  get points(): Point[] {
    return (this.flat ??= [...this.bySeries.values()].flat());
  }
}
