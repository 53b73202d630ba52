import { describe, expect, it } from 'vitest';
import { planBestWindow, type PlanRequest, type PerSignal } from '../../core/planner/best-window.js';
import { planAnswer } from '../../core/planner/plan-answer.js';
import type { Slot } from '../../core/planner/signal.js';
import { resolveDeadline, resolveNotBefore, parseTimeSpec } from '../../core/planner/time-spec.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 11, 5, 20, 0);
const iso = (ms: number) => new Date(ms).toISOString();

/** Slots of `stepMin` minutes from `from`, one per value; null leaves a hole. */
function slots(values: Array<number | null>, stepMin: number, from = T0): Slot[] {
  const out: Slot[] = [];
  values.forEach((value, i) => {
    if (value !== null) out.push({ start: from + i * stepMin * MIN, end: from + (i + 1) * stepMin * MIN, value });
  });
  return out;
}

function request(over: Partial<PlanRequest>): PlanRequest {
  return { now: T0, durationMs: 10 * MIN, weights: { carbon: 1 }, contiguous: true, maxSegments: 3, ...over };
}

function plan(over: Partial<PlanRequest>, signals: PerSignal<Slot[]>) {
  const result = planBestWindow(request(over), signals);
  return { ...result, starts: result.segments.map((s) => iso(s.start)), ends: result.segments.map((s) => iso(s.end)) };
}

describe('the Carbon Aware SDK examples', () => {
  it('[10,20,30,40,5] with a 10-minute job: the best single point is last, where the job cannot finish', () => {
    const p = plan({}, { carbon: slots([10, 20, 30, 40, 5], 5) });
    // Windows: (10+20)/2 = 15, 25, 35, (40+5)/2 = 22.5; the one ending at the data's end is the last.
    expect(p.starts).toEqual([iso(T0)]);
    expect(p.ends).toEqual([iso(T0 + 10 * MIN)]);
    expect(p.expected.carbon).toBe(15);
    expect(p.status).toBe('ok');
  });

  it('[5,55,10,10,10]: the best single point is first, but a job started there averages 30', () => {
    const p = plan({}, { carbon: slots([5, 55, 10, 10, 10], 5) });
    // Windows: 30, 32.5, 10, 10: the tie goes to the earlier start.
    expect(p.starts).toEqual([iso(T0 + 10 * MIN)]);
    expect(p.expected.carbon).toBe(10);
  });
});

describe('resampling and the weighted score', () => {
  it('15-minute prices with 5-minute carbon: starts between price slots, on the 5-minute grid', () => {
    const carbon = slots([400, 400, 400, 400, 400, 100, 100, 100, 400, 400, 400, 400], 5);
    const price = slots([0.3, 0.1, 0.1, 0.3], 15);
    // Normalised per cell, carbon 1 except cells 5–7 (0); price 1 in cells 0–2 and 9–11, else 0.
    // Cells 5–7 score 0: the window starts at 20:25, inside the second price slot.
    const p = plan({ durationMs: 15 * MIN, weights: { carbon: 1, price: 1 } }, { carbon, price });
    expect(p.starts).toEqual([iso(T0 + 25 * MIN)]);
    expect(p.expected.carbon).toBe(100);
    expect(p.expected.price).toBeCloseTo(0.1, 12);
    expect(p.coverage).toEqual({ carbon: 1, price: 1 });
  });

  it('weights choose between a clean and a cheap hour', () => {
    const carbon = slots([100, 300], 60);
    const price = slots([0.4, 0.2], 60);
    const clean = plan({ durationMs: 60 * MIN, weights: { carbon: 0.7, price: 0.3 } }, { carbon, price });
    const cheap = plan({ durationMs: 60 * MIN, weights: { carbon: 0.3, price: 0.7 } }, { carbon, price });
    expect(clean.starts).toEqual([iso(T0)]);
    expect(cheap.starts).toEqual([iso(T0 + 60 * MIN)]);
    // A weight of 0 ignores the signal, whatever its values.
    expect(plan({ durationMs: 60 * MIN, weights: { carbon: 0, price: 1 } }, { carbon, price }).starts).toEqual([iso(T0 + 60 * MIN)]);
  });

  it('a slot counts by its overlap: now at 20:02 averages 3 minutes of one slot and 7 of the next', () => {
    const p = plan({ now: T0 + 2 * MIN }, { carbon: slots([10, 20, 30, 40, 50, 60], 5) });
    // now: (3·10 + 5·20 + 2·30) / 10 = 19; candidates start at 20:05 (never before now).
    expect(p.now.carbon).toBeCloseTo(19, 9);
    expect(p.starts).toEqual([iso(T0 + 5 * MIN)]);
    expect(p.expected.carbon).toBe(25);
  });
});

describe('edges of the range', () => {
  it('ties go to the earliest start; never before now or not_before', () => {
    const flat = { carbon: slots(Array(24).fill(200), 5) };
    expect(plan({ durationMs: 30 * MIN }, flat).starts).toEqual([iso(T0)]);
    expect(plan({ durationMs: 30 * MIN, notBefore: T0 + 40 * MIN }, flat).starts).toEqual([iso(T0 + 40 * MIN)]);
  });

  it('tomorrow’s prices missing: the plan lies where prices are known, status partial with coverage', () => {
    const carbon = slots([300, 300, 300, 100], 60);
    const price = slots([0.2, 0.2], 60);
    const p = plan({ durationMs: 60 * MIN, deadline: T0 + 4 * 60 * MIN, weights: { carbon: 1, price: 1 } }, { carbon, price });
    expect(p.status).toBe('partial');
    expect(p.starts).toEqual([iso(T0)]);
    expect(p.coverage).toEqual({ carbon: 1, price: 0.5 });
    expect(p.message).toMatch(/no data yet/);
  });

  it('without a deadline the range ends where the weighted signal that ends first ends', () => {
    const p = plan({ durationMs: 60 * MIN, weights: { carbon: 1, price: 1 } }, { carbon: slots([300, 300, 300, 100], 60), price: slots([0.2, 0.2], 60) });
    expect(p.status).toBe('ok');
    expect(p.range).toEqual({ start: T0, end: T0 + 120 * MIN });
  });

  it('a deadline shorter than the duration: no_data, saying why', () => {
    const p = plan({ durationMs: 120 * MIN, deadline: T0 + 60 * MIN }, { carbon: slots(Array(36).fill(100), 5) });
    expect(p.status).toBe('no_data');
    expect(p.segments).toEqual([]);
    expect(p.message).toMatch(/shorter than the duration/);
  });

  it('the window never ends after the deadline, even when the best data lies after it', () => {
    const p = plan({ durationMs: 10 * MIN, deadline: T0 + 20 * MIN }, { carbon: slots([50, 40, 30, 20, 1, 1], 5) });
    expect(p.ends).toEqual([iso(T0 + 20 * MIN)]);
  });

  it('no data from a weighted signal: no_data, start and end null', () => {
    const p = planBestWindow(request({ weights: { carbon: 1, price: 1 } }), { carbon: slots([1, 2, 3], 5), price: [] });
    expect(p.status).toBe('no_data');
    const answer = planAnswer(p, 1, {}, T0);
    expect([answer.start, answer.end]).toEqual([null, null]);
    expect(answer.message).toBe('no price data yet');
  });

  it('a gap in the data: no window spans it (the hole is not filled in)', () => {
    // 00:20–00:30 is the cleanest, but a 30-minute window from there would run into the hole.
    const values = [100, 100, 100, 100, 10, 10, null, null, null, null, 50, 50, 50, 50, 50, 50, ...Array(8).fill(300)];
    const p = plan({ durationMs: 30 * MIN }, { carbon: slots(values, 5) });
    expect(p.starts).toEqual([iso(T0 + 50 * MIN)]);
    expect(p.expected.carbon).toBe(50);
    expect(p.status).toBe('partial');
    expect(p.coverage.carbon).toBeCloseTo(100 / 120, 9);
  });
});

describe('plans in pieces', () => {
  const carbon = slots([9, 1, 1, 1, 9, 9, 1, 1, 1, 9, 9, 9], 5);

  it('takes the best slots in at most max_segments pieces', () => {
    const p = plan({ durationMs: 30 * MIN, contiguous: false, maxSegments: 2 }, { carbon });
    expect(p.segments).toEqual([
      { start: T0 + 5 * MIN, end: T0 + 20 * MIN },
      { start: T0 + 30 * MIN, end: T0 + 45 * MIN },
    ]);
    expect(p.expected.carbon).toBe(1);
  });

  it('one piece is the contiguous window (ties to the earliest)', () => {
    // Sums of six: 30, 22, 22, 22, 30, …: the first 22 starts at 20:05.
    const p = plan({ durationMs: 30 * MIN, contiguous: false, maxSegments: 1 }, { carbon });
    expect(p.starts).toEqual([iso(T0 + 5 * MIN)]);
  });

  it('no piece is shorter than 15 minutes', () => {
    // The two 1s at 20:05 and 20:25 are the best slots, but 5-minute pieces are not allowed.
    const p = plan({ durationMs: 15 * MIN, contiguous: false, maxSegments: 3 }, { carbon: slots([9, 1, 9, 9, 9, 1, 5, 5, 9], 5) });
    expect(p.segments).toEqual([{ start: T0 + 25 * MIN, end: T0 + 40 * MIN }]);
  });
});

describe('daylight saving: 23- and 25-hour days of quarter-hour prices, deadline 07:00 in Europe/Berlin', () => {
  const zone = 'Europe/Berlin';
  /** A day's prices from local midnight: 0.30, cheap 05:00–07:00 local, and cheaper still after 07:00. */
  function day(midnightUtc: number, quarters: number, cheapFromUtc: number, deadline: number): Slot[] {
    return Array.from({ length: quarters }, (_, i) => {
      const start = midnightUtc + i * 15 * MIN;
      const value = start >= deadline ? 0.01 : start >= cheapFromUtc ? 0.1 : 0.3;
      return { start, end: start + 15 * MIN, value };
    });
  }

  // Local midnight, quarter-hours in the day, deadline 07:00 local, cheap from 05:00 local (all UTC).
  const days = [
    { name: 'spring (29 March 2026, 92 quarter-hours): 07:00 CEST is 05:00 UTC', now: Date.UTC(2026, 2, 28, 20), midnight: Date.UTC(2026, 2, 28, 23), quarters: 92, deadline: '2026-03-29T05:00:00.000Z', cheap: Date.UTC(2026, 2, 29, 3), dayEnd: Date.UTC(2026, 2, 29, 22) },
    { name: 'autumn (25 October 2026, 100 quarter-hours): 07:00 CET is 06:00 UTC', now: Date.UTC(2026, 9, 24, 20), midnight: Date.UTC(2026, 9, 24, 22), quarters: 100, deadline: '2026-10-25T06:00:00.000Z', cheap: Date.UTC(2026, 9, 25, 4), dayEnd: Date.UTC(2026, 9, 25, 23) },
  ];
  it.each(days)('$name', ({ now, midnight, quarters, deadline: expected, cheap, dayEnd }) => {
    const deadline = resolveDeadline(parseTimeSpec('07:00', zone)!, zone, now);
    expect(iso(deadline)).toBe(expected);
    const price = day(midnight, quarters, cheap, deadline);
    expect(price[price.length - 1]!.end).toBe(dayEnd);
    const p = planBestWindow({ now, durationMs: 120 * MIN, deadline, weights: { price: 1 }, contiguous: true, maxSegments: 1 }, { price });
    // The two cheap hours end at the deadline; the cheaper slots after it are out of reach.
    expect(p.segments).toEqual([{ start: cheap, end: deadline }]);
    expect(p.expected.price).toBeCloseTo(0.1, 12);
  });

  it('not_before 22:00 with deadline 07:00 is the evening before the deadline', () => {
    const now = Date.UTC(2026, 11, 5, 12, 0); // 13:00 in Berlin
    const deadline = resolveDeadline(parseTimeSpec('07:00', zone)!, zone, now);
    const notBefore = resolveNotBefore(parseTimeSpec('22:00', zone)!, zone, now, deadline);
    expect([iso(notBefore), iso(deadline)]).toEqual(['2026-12-05T21:00:00.000Z', '2026-12-06T06:00:00.000Z']);
  });
});

describe('the answer', () => {
  it('savings are now minus the plan, in percent and, with an energy, in grams and money', () => {
    const carbon = slots([400, 400, 200, 200], 15);
    const price = slots([0.3, 0.15], 30);
    const result = planBestWindow(request({ durationMs: 30 * MIN, weights: { carbon: 1, price: 1 } }), { carbon, price });
    const answer = planAnswer(result, 1.2, { price: { source: 'prices', newest: null, resolution: 'PT30M', currency: 'EUR' } }, T0);
    expect(answer.start).toBe('2026-12-05T20:30:00Z');
    expect(answer.expected).toEqual({ carbon_intensity: 200, carbon_unit: 'gCO2eq/kWh', price_per_kwh: 0.15, currency: 'EUR', co2_g: 240, cost: 0.18 });
    expect(answer.now).toEqual({ carbon_intensity: 400, carbon_unit: 'gCO2eq/kWh', price_per_kwh: 0.3, currency: 'EUR', co2_g: 480, cost: 0.36 });
    expect(answer.savings).toEqual({ carbon_intensity_pct: 50, price_pct: 50, co2_g: 240, cost: 0.18 });
  });
});

describe('limits', () => {
  it('a plan in pieces too large to compute says so instead of taking the memory', () => {
    const week = slots(Array(7 * 288).fill(100), 5);
    const p = plan({ durationMs: 3 * 24 * 60 * MIN, contiguous: false, maxSegments: 12 }, { carbon: week });
    expect(p.status).toBe('no_data');
    expect(p.message).toMatch(/too large to compute: shorten the range, the duration or max_segments/);
  });
});
