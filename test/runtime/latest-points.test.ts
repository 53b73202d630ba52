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

describe('LatestPoints', () => {
  it('answers, per series, the points of the newest run that had it, series in first-seen order', () => {
    const latest = new LatestPoints();
    expect(latest.points).toEqual([]);
    latest.keep([point('a', 1), point('b', 2), point('a', 3)]);
    expect(shown(latest)).toEqual(['a=1', 'a=3', 'b=2']);
    latest.keep([point('b', 4)]);
    latest.keep([]);
    expect(shown(latest)).toEqual(['a=1', 'a=3', 'b=4']);
    latest.keep([{ ...point('c', 6), tags: { provider: 'p', station: 'c' } }, point('a', 5)]);
    expect(shown(latest)).toEqual(['a=5', 'b=4', 'c=6']);
  });
});
