import type { Point } from '../plugin-api/point.js';
import { groupBySeries } from '../plugin-api/latest.js';

/**
 * The points `/api/sources/:id/latest` answers from: per series, the points of the newest run
 * that had that series, so a series one run did not bring (a failed item) keeps its last values.
 */
export class LatestPoints {
  points: Point[] = [];
  private bySeries: Map<string, Point[]> | null = null;

  keep(points: readonly Point[]): void {
    if (points.length === 0) return;
    const latest = (this.bySeries ??= new Map());
    for (const [key, list] of groupBySeries(points)) latest.set(key, list);
    this.points = [...latest.values()].flat();
  }
}
