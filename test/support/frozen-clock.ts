import { afterEach, beforeEach, vi } from 'vitest';
import type { HarnessFake, SourceHarness } from './source-harness.js';

/**
 * For plugins that ask for "now" (the current half hour, the last 24 hours): every test freezes
 * Date (timers and sockets stay real), and `make` starts the source, and the fake's clock, at `now`.
 */
export function makeAtFrozenTime<F extends HarnessFake>(harness: SourceHarness<F>, defaultNow: number) {
  beforeEach(() => void vi.useFakeTimers({ toFake: ['Date'] }));
  afterEach(() => void vi.useRealTimers());
  return (options: Record<string, unknown> = {}, now = defaultNow) => {
    vi.setSystemTime(now);
    return harness.make(options, { now });
  };
}
