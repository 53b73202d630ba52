import { describe, expect, it } from 'vitest';
import { entityValues, MAX_ATTRIBUTES_BYTES, MAX_UNDECLARED } from '../../core/mqtt/entity-values.js';
import { int, type Point } from '../../core/plugin-api/point.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const at = (minutes: number) => new Date(NOW + minutes * 60_000);
const point = (measurement: string, fields: Point['fields'], minutes: number, tags: Record<string, string> = {}): Point => ({ measurement, fields, time: at(minutes), tags: { source: 's', ...tags } });

describe('entity values from the newest points', () => {
  it('picks the present and the next point, scales, resolves {tag} units and keeps attributes', () => {
    const points = [
      point('carbon', { value: 1000 }, -10, { region: 'north' }),
      point('carbon', { value: 900 }, -5, { region: 'north' }),
      point('carbon', { value: 800 }, 5, { region: 'north' }),
      point('price', { price: int(3) }, -1, { currency: 'GBP' }),
      point('event', { summary: 'Dentist' }, 90),
    ];
    const values = entityValues(
      points,
      [
        { key: 'moer', name: 'MOER', measurement: 'carbon', field: 'value', scale: 0.45359237, unit: 'gCO2eq/kWh', per_tag: 'region' },
        { key: 'moer_next', name: 'Next', measurement: 'carbon', field: 'value', pick: 'next', tags: { region: 'north' } },
        { key: 'price', name: 'Price', measurement: 'price', field: 'price', unit: '{currency}/kWh' },
        { key: 'missing_unit', name: 'X', measurement: 'price', field: 'price', unit: '{area}/kWh' },
        { key: 'event', name: 'Next event', measurement: 'event', value: 'time', pick: 'next', device_class: 'timestamp', attributes: ['summary', 'location'] },
        { key: 'none', name: 'Nothing yet', measurement: 'absent', field: 'value' },
      ],
      NOW,
    );
    expect(values.map((v) => [v.key, v.state, v.unit])).toEqual([
      ['moer_north', '408.233133', 'gCO2eq/kWh'],
      ['moer_next', '800', undefined],
      ['price', '3', 'GBP/kWh'],
      ['event', at(90).toISOString(), undefined],
      ['none', 'None', undefined],
    ]);
    expect(values.find((v) => v.key === 'event')!.attributes).toEqual({ summary: 'Dentist', location: null });
  });

  it('keeps a forecast of the coming points under 16 KiB, cutting the far end', () => {
    const points = Array.from({ length: 3000 }, (_, i) => point('price', { p: 0.123456 + i / 1e6 }, i * 15 - 30));
    const [value] = entityValues(points, [{ key: 'p', name: 'P', measurement: 'price', field: 'p', forecast: true }], NOW);
    const forecast = value!.attributes!.forecast as [number, number][];
    expect(Buffer.byteLength(JSON.stringify(value!.attributes))).toBeLessThanOrEqual(MAX_ATTRIBUTES_BYTES);
    expect(forecast[0]).toEqual([Math.floor(at(15).getTime() / 1000), 0.123459]);
    expect(forecast.length).toBeGreaterThan(300);
    expect(forecast.length).toBeLessThan(2998);
  });

  it('without declarations: one sensor per numeric field per series, at most MAX_UNDECLARED', () => {
    const values = entityValues([point('Room Air', { temp: 21, label: 'warm', n: int(4) }, -1, { room: 'Kitchen' })], undefined, NOW);
    expect(values.map((v) => [v.key, v.name, v.state, v.state_class])).toEqual([
      ['room_air_kitchen_temp', 'Room Air Kitchen temp', '21', 'measurement'],
      ['room_air_kitchen_n', 'Room Air Kitchen n', '4', 'measurement'],
    ]);
    const many = Array.from({ length: 300 }, (_, i) => point('m', { v: i }, -1, { id: `e${i}` }));
    expect(entityValues(many, undefined, NOW)).toHaveLength(MAX_UNDECLARED);
  });
});
