import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Point } from '@influxdata/influxdb-client';
import { int, type SourcePoint } from '../../core/plugin-api/point.js';
import { lineTimeMs, pointToLine, toLineProtocol } from '../../core/storage/line-protocol.js';

const time = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678));

function point(p: Partial<SourcePoint>): SourcePoint {
  return { measurement: 'm', tags: { source: 's' }, fields: { v: 1 }, time, ...p } as SourcePoint;
}

describe('toLineProtocol', () => {
  it('prints one line per point with nanosecond times, the way `homeiq once` shows them', () => {
    const text = toLineProtocol([
      point({ measurement: 'carbon_intensity', tags: { source: 'carbon', region: 'CAISO_NORTH' }, fields: { value: 412.5 } }),
      point({ fields: { category: int(3), ok: true, name: 'x' } }),
    ]);
    expect(text.split('\n')).toEqual([
      'carbon_intensity,region=CAISO_NORTH,source=carbon value=412.5 1767323045678000000',
      'm,source=s category=3i,name="x",ok=T 1767323045678000000',
    ]);
  });

  it('escapes spaces, commas, equals signs and quotes where line protocol needs it', () => {
    const line = pointToLine(point({
      measurement: 'my meas,x=1',
      tags: { source: 's', 'ta g': 'a,b=c d' },
      fields: { 'f=1': 'say "hi" \\ bye', n: int(-7) },
    }), 's');
    expect(line).toBe('my\\ meas\\,x=1,source=s,ta\\ g=a\\,b\\=c\\ d f\\=1="say \\"hi\\" \\\\ bye",n=-7i 1767323045');
  });

  it('writes the time at each precision', () => {
    expect(pointToLine(point({}), 's').endsWith(' 1767323045')).toBe(true);
    expect(pointToLine(point({}), 'ms').endsWith(' 1767323045678')).toBe(true);
    expect(pointToLine(point({}), 'us').endsWith(' 1767323045678000')).toBe(true);
    expect(pointToLine(point({}), 'ns').endsWith(' 1767323045678000000')).toBe(true);
  });

  it('leaves out an empty tag value, which line protocol cannot carry', () => {
    expect(pointToLine(point({ tags: { source: 's', empty: '' } }), 's')).toBe('m,source=s v=1 1767323045');
  });

  it('turns a point that cannot be written into a comment line saying why', () => {
    const lines = toLineProtocol([
      point({ fields: {} }),
      point({ fields: { v: Number.NaN } }),
      point({ tags: { source: 's', bad: 'ends\\' } }),
      point({ time: new Date('nope') }),
      point({}),
    ]).split('\n');
    expect(lines).toHaveLength(5);
    expect(lines.slice(0, 4).every((l) => l.startsWith('# skipped: '))).toBe(true);
    expect(lines[0]).toContain('no field');
    expect(lines[1]).toContain('NaN');
    expect(lines[2]).toContain('backslash');
    expect(lines[3]).toContain('no valid time');
    expect(lines[4]).toBe('m,source=s v=1 1767323045678000000');
  });
});

describe('lineTimeMs', () => {
  it('reads the time back from a line at its precision', () => {
    for (const precision of ['s', 'ms', 'us', 'ns'] as const) {
      const expected = precision === 's' ? Math.floor(time.getTime() / 1000) * 1000 : time.getTime();
      expect(lineTimeMs(pointToLine(point({ fields: { t: 'a b "c" 1' } }), precision), precision)).toBe(expected);
    }
  });
});

describe('pointToLine against InfluxDB client', () => {
  // The lines are built without the client's Point (it cost as much as the rest of the write
  // path); what InfluxDB receives must be the same bytes the client would send.
  const text = fc.string({ unit: fc.constantFrom('a', 'Z', '1', ' ', ',', '=', '"', '\\', '\n', '\r', '\t', 'é', '😀'), minLength: 1, maxLength: 6 });
  const field = fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer().map((n) => int(n)),
    fc.boolean(),
    fc.string({ maxLength: 8 }),
  );
  it('writes the bytes the client writes for any point it can write', () => {
    fc.assert(
      fc.property(text, fc.dictionary(text, fc.oneof(text, fc.constant(''))), fc.dictionary(text, field, { minKeys: 1 }), fc.integer({ min: 0, max: 4e12 }), (measurement, tags, fields, ms) => {
        const names = [measurement, ...Object.keys(tags), ...Object.values(tags), ...Object.keys(fields)];
        fc.pre(names.every((n) => !n.endsWith('\\')));
        const time = new Date(ms);
        const client = new Point(measurement).timestamp(time);
        for (const [k, v] of Object.entries(tags)) if (v !== '') client.tag(k, v);
        for (const [k, v] of Object.entries(fields)) {
          if (typeof v === 'number') client.floatField(k, v);
          else if (typeof v === 'boolean') client.booleanField(k, v);
          else if (typeof v === 'string') client.stringField(k, v);
          else client.intField(k, v.int);
        }
        const ours = pointToLine({ measurement, tags: { ...tags, source: 's' }, fields, time }, 'ms');
        client.tag('source', 's');
        expect(ours).toBe(client.toLineProtocol({ convertTime: (t) => String((t as Date).getTime()) }));
      }),
      { numRuns: 2000 },
    );
  });
});
