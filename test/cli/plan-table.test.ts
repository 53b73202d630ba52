import { describe, expect, it } from 'vitest';
import { formatPlan } from '../../core/cli/plan.js';
import { planAnswer } from '../../core/planner/plan-answer.js';

const T0 = Date.UTC(2026, 11, 5, 20, 0);

describe('homeiq plan output', () => {
  it('without a plan says why, and shows what is known of now', () => {
    const answer = planAnswer(
      { status: 'no_data', range: null, segments: [], expected: {}, now: { carbon: 388.14 }, coverage: { carbon: 0.25 }, message: 'no window lies where every weighted signal has data' },
      undefined,
      {},
      T0,
    );
    expect(formatPlan(answer)).toBe(`No plan: no window lies where every weighted signal has data

                               PLAN  NOW    SAVINGS
carbon intensity (gCO2eq/kWh)  -     388.1  -
price (per kWh)                -     -      -
CO2 (g)                        -     -      -
cost                           -     -      -

coverage: carbon 25 %
`);
  });
});
