import { describe, expect, it } from 'vitest';
import { groupBySeries, latestPerSeries } from '../../core/plugin-api/latest.js';
import type { Point } from '../../core/plugin-api/point.js';

const at = (iso: string) => new Date(iso);

describe('groupBySeries', () => {
  it('puts points of one measurement and tag set together, whatever the order of the tags', () => {
    const points: Point[] = [
      { measurement: 'price', tags: { zone: 'DE', resolution: 'PT15M' }, fields: { value: 1 }, time: at('2026-11-27T00:00:00Z') },
      { measurement: 'price', tags: { resolution: 'PT15M', zone: 'DE' }, fields: { value: 2 }, time: at('2026-11-27T00:15:00Z') },
      { measurement: 'price', tags: { zone: 'AT', resolution: 'PT15M' }, fields: { value: 3 }, time: at('2026-11-27T00:00:00Z') },
      { measurement: 'price', fields: { value: 4 }, time: at('2026-11-27T00:00:00Z') },
      { measurement: 'price', tags: {}, fields: { value: 5 }, time: at('2026-11-27T00:15:00Z') },
    ];
    const groups = groupBySeries(points).map((list) => list.map((p) => p.fields.value));
    expect(groups).toEqual([[1, 2], [3], [4, 5]]);
  });

  it('keeps series apart whose names and values would read the same joined together', () => {
    const points: Point[] = [
      { measurement: 'm', tags: { a: '1,b=2' }, fields: { value: 1 }, time: at('2026-11-27T00:00:00Z') },
      { measurement: 'm', tags: { a: '1', b: '2' }, fields: { value: 2 }, time: at('2026-11-27T00:00:00Z') },
      { measurement: 'm,a', tags: { b: '1' }, fields: { value: 3 }, time: at('2026-11-27T00:00:00Z') },
      { measurement: 'm', tags: { 'a,b': '1' }, fields: { value: 4 }, time: at('2026-11-27T00:00:00Z') },
      { measurement: 'm', tags: { a: '' }, fields: { value: 5 }, time: at('2026-11-27T00:00:00Z') },
      { measurement: 'm', fields: { value: 6 }, time: at('2026-11-27T00:00:00Z') },
    ];
    expect(groupBySeries(points).length).toBe(6);
  });

  it('gives /latest the newest point of each series', () => {
    const points: Point[] = [
      { measurement: 'co2', tags: { region: 'CAISO' }, fields: { value: 300 }, time: at('2026-11-27T00:00:00Z') },
      { measurement: 'co2', tags: { region: 'CAISO' }, fields: { value: 310 }, time: at('2026-11-27T00:05:00Z') },
      { measurement: 'co2', tags: { region: 'PJM' }, fields: { value: 500 }, time: at('2026-11-27T00:00:00Z') },
    ];
    expect(latestPerSeries(points).points).toEqual([
      { measurement: 'co2', time: '2026-11-27T00:05:00.000Z', tags: { region: 'CAISO' }, fields: { value: 310 } },
      { measurement: 'co2', time: '2026-11-27T00:00:00.000Z', tags: { region: 'PJM' }, fields: { value: 500 } },
    ]);
  });
});
