import { describe, expect, it } from 'vitest';

// The planner panel's browser modules are plain JavaScript; Node imports them as they are.
const script = (name: string) => new URL(`../../core/http/status-page/${name}`, import.meta.url).href;
type Plan = Record<string, unknown>;
const words = (await import(script('planner-words.js'))) as { planSentence(name: string, plan: Plan, zone: string, now?: number): string };
const chart = (await import(script('planner-chart.js'))) as {
  niceTicks(lo: number, hi: number): number[];
  stepPath(slots: Array<{ start: string; end: string; value: number }>, x: (t: number) => number, y: (v: number) => number): string;
};

const NOW = Date.parse('2026-12-05T20:00:00Z'); // 21:00 in Berlin
const plan = (more: Plan = {}): Plan => ({
  status: 'ok',
  start: '2026-12-06T01:00:00Z',
  end: '2026-12-06T03:00:00Z',
  segments: [{ start: '2026-12-06T01:00:00Z', end: '2026-12-06T03:00:00Z' }],
  savings: { carbon_intensity_pct: 45.2, price_pct: 41 },
  coverage: { carbon: 1, price: 1 },
  generated_at: '2026-12-05T20:00:00Z',
  ...more,
});
const say = (p: Plan, zone = 'Europe/Berlin') => words.planSentence('dishwasher', p, zone, NOW);

describe('a plan in words (planner-words.js)', () => {
  it('says when, in the planner’s time zone, and what it saves', () => {
    expect(say(plan())).toBe('dishwasher: starting tomorrow at 02:00 instead of now: 45 % less CO₂, 41 % cheaper.');
    expect(say(plan(), 'UTC')).toBe('dishwasher: starting tomorrow at 01:00 instead of now: 45 % less CO₂, 41 % cheaper.');
    expect(say(plan({ start: '2026-12-05T22:30:00Z' }))).toBe('dishwasher: starting at 23:30 instead of now: 45 % less CO₂, 41 % cheaper.');
    expect(say(plan({ start: '2026-12-07T22:30:00Z' }))).toMatch(/^dishwasher: starting on Monday at 23:30 /);
  });

  it('says more, the same, or leaves out what cannot be told', () => {
    expect(say(plan({ savings: { carbon_intensity_pct: -12.6, price_pct: 0.2 } }))).toBe('dishwasher: starting tomorrow at 02:00 instead of now: 13 % more CO₂, about the same price.');
    expect(say(plan({ savings: { carbon_intensity_pct: null, price_pct: -3 } }))).toBe('dishwasher: starting tomorrow at 02:00 instead of now: 3 % dearer.');
    expect(say(plan({ savings: { carbon_intensity_pct: null, price_pct: null } }))).toBe(
      'dishwasher: starting tomorrow at 02:00; the saving against starting now cannot be told (no forecast for now).',
    );
  });

  it('plans in pieces, starting now, partial and no_data in plain sentences', () => {
    const pieces = [{ start: '2026-12-06T01:00:00Z', end: '2026-12-06T02:00:00Z' }, { start: '2026-12-06T04:00:00Z', end: '2026-12-06T05:00:00Z' }];
    expect(say(plan({ segments: pieces, end: '2026-12-06T05:00:00Z' }))).toBe('dishwasher: starting tomorrow at 02:00 (in 2 pieces, done tomorrow at 06:00) instead of now: 45 % less CO₂, 41 % cheaper.');
    expect(say(plan({ start: '2026-12-05T20:00:00Z', savings: { carbon_intensity_pct: 0, price_pct: 0 } }))).toBe('dishwasher: start now: no later time is better before the deadline.');
    expect(say(plan({ status: 'partial', coverage: { carbon: 1, price: 0.543 } }))).toBe(
      'dishwasher: starting tomorrow at 02:00 instead of now: 45 % less CO₂, 41 % cheaper. The forecasts do not cover the whole range yet (price 54 %): the plan may change when they arrive.',
    );
    expect(say({ status: 'no_data', start: null, end: null, segments: [], message: 'no price data yet' })).toBe('dishwasher: no plan yet: no price data yet.');
  });

  it('falls back to the browser’s zone for a zone it does not know', () => {
    expect(say(plan(), 'Nowhere/Atlantis')).toMatch(/^dishwasher: starting (tomorrow )?at \d\d:00 instead of now/);
  });
});

describe('the planner chart’s pieces (planner-chart.js)', () => {
  it('round ticks that span the values, also for a flat or negative series', () => {
    expect(chart.niceTicks(212, 488)).toEqual([200, 300, 400, 500]);
    expect(chart.niceTicks(0.02, 0.2)).toEqual([0, 0.05, 0.1, 0.15, 0.2]);
    expect(chart.niceTicks(-0.03, 0.12)).toEqual([-0.05, 0, 0.05, 0.1, 0.15]);
    const flat = chart.niceTicks(300, 300);
    expect(flat[0]).toBeLessThan(300);
    expect(flat[flat.length - 1]).toBeGreaterThan(300);
  });

  it('a step line, joined where slots follow each other and broken at a gap', () => {
    const t = (h: number) => new Date(Date.UTC(2026, 11, 6, h)).toISOString();
    const slots = [
      { start: t(0), end: t(1), value: 1 },
      { start: t(1), end: t(2), value: 2 },
      { start: t(3), end: t(4), value: 3 },
    ];
    const x = (ms: number) => (ms - Date.parse(t(0))) / 3_600_000;
    expect(chart.stepPath(slots, x, (v) => 10 * v)).toBe('M0,10H1L1,20H2M3,30H4');
  });
});
