import { describe, expect, it } from 'vitest';
import { LatestPoints } from '../../core/runtime/latest-points.js';
import type { Point } from '../../core/plugin-api/point.js';

const point = (station: string, value: number): Point => ({
  measurement: 'weather',
  tags: { station, provider: 'p' },
  fields: { value },
  time: new Date('2026-12-05T00:00:00Z'),
});
const shown = (latest: LatestPoints) => latest.points.map((p) => `${p.tags!.station}=${p.fields.value}`);
/** A run where some item failed: the series it did not bring keep their values. */
const partial = (points: Point[]) => ({ points, errors: [{ item: 'x', error: new Error('failed') }] });
const complete = (points: Point[]) => ({ points, errors: [] });

describe('LatestPoints', () => {
  it('after a run with failed items, answers per series the points of the newest run that had it, series in first-seen order', () => {
    const latest = new LatestPoints();
    expect(latest.points).toEqual([]);
    latest.keep(complete([point('a', 1), point('b', 2), point('a', 3)]));
    expect(shown(latest)).toEqual(['a=1', 'a=3', 'b=2']);
    latest.keep(partial([point('b', 4)]));
    latest.keep(complete([]));
    expect(shown(latest)).toEqual(['a=1', 'a=3', 'b=4']);
    latest.keep(partial([{ ...point('c', 6), tags: { provider: 'p', station: 'c' } }, point('a', 5)]));
    expect(shown(latest)).toEqual(['a=5', 'b=4', 'c=6']);
  });

  it('a complete run replaces every series: a series it no longer brings (a deleted event) is gone', () => {
    const latest = new LatestPoints();
    latest.keep(complete([point('a', 1), point('b', 2)]));
    latest.keep(complete([point('b', 3)]));
    expect(shown(latest)).toEqual(['b=3']);
  });

  it('keeps at most maxSeries series, the least recently brought going first, however many runs bring new ones', () => {
    const latest = new LatestPoints();
    for (let run = 0; run < 50; run++) latest.keep(partial([point(`s${run}`, run), point('every', run)]), 10);
    expect(latest.points).toHaveLength(10);
    expect(shown(latest)).toContain('every=49');
    expect(shown(latest)).toContain('s49=49');
    expect(shown(latest)).not.toContain('s39=39');
  });
});
