import cron from 'node-cron';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { PluginDeclaration, SourcePoint } from '../../core/plugin-api/index.js';
import { createTestSource, type TestSource } from '../../core/testkit/index.js';
import type { HttpFake } from '../fakes/http-fake.js';
import { describeGoldenCases, type GoldenCase, type StandardCase } from './golden-cases.js';
import type { LifecycleFake } from './lifecycle-suite.js';
import { readmeSources } from './plugin-readme.js';

/**
 * The shared setup of the electricity-price plugin tests: prices come by delivery day, so every
 * test runs on a frozen clock (`Date` only; timers stay real) at a chosen instant of a day.
 */
export interface PriceDaySetup<F extends HttpFake> {
  plugin: PluginDeclaration;
  /** The instant every test starts at (it may move the clock with vi.setSystemTime). */
  at: number;
  startFake(): Promise<F>;
  /** Options of every source `make` creates, under the test's own. */
  options?: Record<string, unknown>;
  /** Credentials of every source `make` creates, unless a test passes others. */
  credentials?: Record<string, string>;
}

export interface PriceDay<F extends HttpFake> {
  readonly plugin: PluginDeclaration;
  /** The fake of the running test, started at `at` before it. */
  readonly fake: F;
  /** The source `make` created last in the running test. */
  readonly src: TestSource | undefined;
  /** A source against the fake (base_url set, no retries unless asked), stopped after the test. */
  make(options?: Record<string, unknown>, credentials?: Record<string, string>): Promise<TestSource>;
  /** Stops `src` after the test and makes it the current one; returns it. */
  track(src: TestSource): TestSource;
  /** Closes the fake and uses the one `start` starts instead (other limits, say). */
  replaceFake(start: () => Promise<F>): Promise<F>;
}

/** Freezes the clock at `setup.at` and starts a fake before each test; stops all after it. */
export function usePriceDay<F extends HttpFake>(setup: PriceDaySetup<F>): PriceDay<F> {
  let fake: F | undefined;
  let sources: TestSource[] = [];
  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(setup.at);
    fake = await setup.startFake();
  });
  afterEach(async () => {
    for (const src of sources) await src.stop();
    sources = [];
    await fake?.close();
    fake = undefined;
    vi.useRealTimers();
  });
  const day: PriceDay<F> = {
    plugin: setup.plugin,
    get fake() {
      if (!fake) throw new Error('the fake runs only inside a test');
      return fake;
    },
    get src() {
      return sources.at(-1);
    },
    track: (src) => (sources.push(src), src),
    make: async (options = {}, credentials = setup.credentials) =>
      day.track(await createTestSource({ plugin: setup.plugin, options: { ...setup.options, base_url: day.fake.url, retries: 0, ...options }, credentials })),
    replaceFake: async (start) => {
      await fake?.close();
      fake = await start();
      return fake;
    },
  };
  return day;
}

/** The next `count` runs of a cron `schedule` from `from` (local time), e.g. to count a day's requests. */
export function scheduledRuns(schedule: string, from: Date, count: number): Date[] {
  vi.setSystemTime(from);
  const task = cron.createTask(schedule, () => undefined);
  const runs = task.getNextRuns(count);
  void task.destroy();
  return runs;
}

/** The distinct spacings (ms) of consecutive points: one value for an even series. */
export function gaps(points: readonly SourcePoint[]): Set<number> {
  return new Set(points.slice(1).map((p, i) => p.time.getTime() - points[i]!.time.getTime()));
}

/** A lifecycle-suite fake: a fake started and loaded with `prepare`. */
export function lifecycleFake<F extends HttpFake>(start: () => Promise<F>, prepare: (fake: F) => void): () => Promise<LifecycleFake> {
  return async () => {
    const f = await start();
    prepare(f);
    return { url: f.url, requestCount: () => f.requests.length, close: () => f.close() };
  };
}

/** What a price plugin's declaration promises: when it polls, and a README sample that validates. */
export interface DeclarationChecks {
  /** The title of the schedule's test. */
  polls: string;
  /** The first and the last local hour it polls in (publication window), on every quarter hour. */
  hours: [first: number, last: number];
  /** How many runs from 2026-05-06 00:00 local to look at, and how many of them fall on that day. */
  runs: number;
  perDay: number;
  /** The credentials of the sample, left blank: it then waits in standby instead of being runnable. */
  blankCredentials?: Record<string, string>;
}

/** The declaration tests every price plugin passes: its default schedule and its README's sample config. */
export function itKeepsItsDeclaration<F extends HttpFake>(day: PriceDay<F>, checks: DeclarationChecks): void {
  it(checks.polls, () => {
    const runs = scheduledRuns(day.plugin.default_schedule!, new Date(2026, 4, 6, 0, 0, 0), checks.runs);
    const [first, last] = checks.hours;
    expect(runs.every((d) => d.getHours() >= first && d.getHours() <= last && d.getMinutes() % 15 === 0)).toBe(true);
    expect(runs.filter((d) => d.getDate() === 6)).toHaveLength(checks.perDay);
  });

  it("the README's sample config validates against the plugin's options", async () => {
    const entry = Object.values(readmeSources(day.plugin.id))[0]!;
    expect(entry.plugin).toBe(day.plugin.id);
    const src = day.track(await createTestSource({ plugin: day.plugin, options: entry.options ?? {}, credentials: checks.blankCredentials }));
    if (checks.blankCredentials) expect(src.health().status_detail).toBe('credentials_missing');
    else expect(src.runnable).toBe(true);
  });
}

/**
 * A 5xx answer is retried within the run (`retries: 1`), and once it persists the run fails:
 * the source is degraded with that HTTP status. The test checks the message itself.
 */
export async function expectRetriedThenDegraded<F extends HttpFake & { failNext(count: number, status: number): void }>(day: PriceDay<F>, status: number): Promise<void> {
  const src = await day.make({ retries: 1 });
  day.fake.failNext(1, status);
  expect((await src.run()).ok).toBe(true);
  day.fake.failNext(2, status);
  await src.run();
  expect(src.health()).toMatchObject({ status_detail: 'degraded', last_error: { http_status: status } });
}

/** A price plugin's golden cases (every file in `dir`), each run against the day's fake with the clock at its `now`. */
export function describePriceGoldenCases<F extends HttpFake>(day: PriceDay<F>, dir: URL, notApplicable: Partial<Record<StandardCase, string>>): void {
  describeGoldenCases<GoldenCase, F>(day.plugin.id, {
    dir,
    make: async (golden) => {
      vi.setSystemTime(Date.parse(golden.now));
      return { fake: day.fake, src: await day.make(golden.options) };
    },
    notApplicable,
  });
}
