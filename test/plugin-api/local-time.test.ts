import { describe, expect, it } from 'vitest';
import { localTimeToInstant } from '../../core/plugin-api/index.js';

describe('localTimeToInstant', () => {
  it('subtracts the answer-wide UTC offset from a local time', () => {
    expect(localTimeToInstant('2026-10-25T02:00', 7200)?.toISOString()).toBe('2026-10-25T00:00:00.000Z');
  });
  it('takes a number as Unix seconds', () => {
    expect(localTimeToInstant(1_790_000_000, 3600)?.toISOString()).toBe(new Date(1_790_000_000_000).toISOString());
  });
  it('refuses times off the calendar and times a Date cannot hold, without throwing', () => {
    expect(localTimeToInstant('2026-02-30T10:00', 0)).toBeUndefined();
    expect(localTimeToInstant(1e308, 0)).toBeUndefined();
    expect(localTimeToInstant(9e12, 0)).toBeUndefined();
    expect(localTimeToInstant('275760-09-13T00:00', 0)).toBeUndefined();
    expect(localTimeToInstant('2026-01-01T00:00', 9e15)).toBeUndefined();
  });
});
