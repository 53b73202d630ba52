import { describe, expect, it } from 'vitest';
import { buildSchedule } from '../../core/runtime/schedule.js';
import { LocalScheduler } from '../../core/runtime/scheduler.js';

describe('Scheduler', () => {
  it('calls entries in due order and skips cancelled ones', async () => {
    const s = new LocalScheduler();
    const calls: string[] = [];
    const now = Date.now();
    s.at(now + 60, () => calls.push('c'));
    s.at(now + 20, () => calls.push('a'));
    const cancel = s.at(now + 40, () => calls.push('cancelled'));
    s.at(now + 40, () => calls.push('b'));
    cancel();
    await new Promise((r) => setTimeout(r, 150));
    expect(calls).toEqual(['a', 'b', 'c']);
    s.stop();
  });

  it('runs entries due at the same time in the order they were scheduled, and ones added while firing', async () => {
    const s = new LocalScheduler();
    const calls: string[] = [];
    const due = Date.now() + 20;
    const cancels = Array.from({ length: 1000 }, (_, i) => s.at(due, () => calls.push(`same-${i}`)));
    s.at(due + 10, () => calls.push('later'));
    s.at(due - 10, () => {
      calls.push('earlier');
      // Due already: runs in the same wake-up, after what was due before it.
      s.at(due, () => calls.push('added'));
    });
    cancels[500]!();
    expect(s.size).toBe(1002);
    await new Promise((r) => setTimeout(r, 100));
    const same = Array.from({ length: 1000 }, (_, i) => `same-${i}`).filter((c) => c !== 'same-500');
    expect(calls).toEqual(['earlier', ...same, 'added', 'later']);
    expect(s.size).toBe(0);
    s.stop();
  });

  it('keeps going when a callback throws', async () => {
    const s = new LocalScheduler();
    const calls: string[] = [];
    s.at(Date.now(), () => {
      throw new Error('x');
    });
    s.at(Date.now() + 5, () => calls.push('after'));
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toEqual(['after']);
    s.stop();
  });
});

describe('buildSchedule', () => {
  it('takes an interval, a cron expression with seconds, and the plugin default', () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    expect(buildSchedule({ interval: '5m' }).next(t0).toISOString()).toBe('2026-01-01T00:05:00.000Z');
    const cron = buildSchedule({ schedule: '*/10 * * * * *' });
    const next = cron.next(new Date()).getTime();
    expect(next - Date.now()).toBeLessThanOrEqual(10_000);
    expect(new Date(next).getUTCSeconds() % 10).toBe(0);
    cron.dispose();
    expect(buildSchedule({}, '1h').description).toBe('every 1h');
    expect(buildSchedule({}).description).toBe('every 5m');
  });
});
