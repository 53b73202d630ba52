import { afterEach, describe, expect, it } from 'vitest';
import type { DataSource, PluginDeclaration } from '../../core/plugin-api/index.js';
import { createTestSource, type TestSource } from '../../core/testkit/index.js';

// What the runner bounds of a plugin: points per run, broken points, series kept for /latest,
// a run that blocks past its timeout, a dispose() that never ends.
let src: TestSource | undefined;
afterEach(async () => {
  await src?.stop();
  src = undefined;
});

const pluginOf = (ds: DataSource): PluginDeclaration => ({ id: 'odd', apiVersion: 1, title: 'Odd', create: () => ds });
const at = new Date('2026-12-05T12:00:00Z');
const reading = (value: number, tags: Record<string, string> = {}) => ({ measurement: 'm', tags, fields: { value }, time: at });

describe('the points of a run', () => {
  it('a NaN point is dropped and counted; the rest of the run is written', async () => {
    src = await createTestSource({ plugin: pluginOf({ fetch: async () => [reading(1, { s: 'a' }), reading(Number.NaN, { s: 'b' }), reading(3, { s: 'c' })] }) });
    const outcome = await src.run();
    expect(outcome.ok, String(outcome.error)).toBe(true);
    expect(src.points.map((p) => p.fields.value)).toEqual([1, 3]);
    const h = src.health();
    expect([h.status, h.status_detail, h.points_last_run]).toEqual(['healthy', 'operational', 2]);
    expect(h.warnings).toEqual(['dropped 1 of 3 points: points[1].fields.value is not a finite number, string, boolean or int()']);
    expect(src.logs()).toContain('"msg":"dropped points of the run"');
  });

  it('beyond max_points_per_run (default 100,000) the points are dropped, counted and logged', async () => {
    const many = Array.from({ length: 100_005 }, (_, i) => reading(i, { i: String(i % 10) }));
    src = await createTestSource({ plugin: pluginOf({ fetch: async () => many }) });
    expect((await src.run()).ok).toBe(true);
    expect(src.points).toHaveLength(100_000);
    expect(src.health().warnings).toEqual(['dropped 5 of 100005 points: the run returned 100005 points; max_points_per_run is 100000']);
    expect(src.logs()).toMatch(/"beyond_max_points_per_run":5/);
  });

  it('a run whose every point is broken fails naming the first', async () => {
    src = await createTestSource({ plugin: pluginOf({ fetch: async () => [42, { measurement: 'm' }] as never }) });
    expect((await src.run()).ok).toBe(false);
    expect(src.health().last_error?.message).toBe('points[0] is not an object');
    expect(src.points).toHaveLength(0);
  });
});

describe('/latest', () => {
  it('shows only the series of the latest complete run: a deleted event disappears', async () => {
    let run = 0;
    src = await createTestSource({ plugin: pluginOf({ fetch: async () => [reading(++run, { event_id: `e${run}` })] }) });
    for (let i = 0; i < 5; i++) await src.run();
    expect(src.latest()).toEqual({ points: [{ measurement: 'm', time: at.toISOString(), tags: { event_id: 'e5', source: 'test' }, fields: { value: 5 } }] });
  });

  it('keeps at most max_latest_series series when failed items keep earlier ones', async () => {
    let run = 0;
    const ds: DataSource = { fetch: async () => ({ points: [reading(++run, { event_id: `e${run}` })], errors: [{ item: 'other', error: new Error('x') }] }) };
    src = await createTestSource({ plugin: pluginOf(ds), options: { max_latest_series: 3 } });
    for (let i = 0; i < 6; i++) await src.run();
    const ids = (src.latest() as { points: Array<{ tags: { event_id: string } }> }).points.map((p) => p.tags.event_id);
    expect(ids.sort()).toEqual(['e4', 'e5', 'e6']);
  });
});

describe('a plugin that blocks the event loop', () => {
  it('answering after its timeout is a timeout error, not a success', async () => {
    const ds: DataSource = {
      fetch: async () => {
        const until = Date.now() + 400;
        while (Date.now() < until);
        return [reading(1)];
      },
    };
    src = await createTestSource({ plugin: pluginOf(ds), options: { timeout: '200ms' } });
    const outcome = await src.run();
    expect(outcome.ok).toBe(false);
    expect(src.health().last_error?.message).toBe("the run did not finish within 0.2s (the source's timeout option)");
    expect(src.points).toHaveLength(0);
  });
});

describe('stopping a source', () => {
  it('does not wait for a dispose() that never ends past its limit, and says so', async () => {
    src = await createTestSource({ plugin: pluginOf({ fetch: async () => [reading(1)], dispose: () => new Promise<void>(() => {}) }) });
    await src.run();
    const t0 = Date.now();
    await src.stop();
    expect(Date.now() - t0).toBeLessThan(3500);
    expect(src.logs()).toContain('dispose() did not finish in time');
    src = undefined;
  });
});
