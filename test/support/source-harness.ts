import { afterEach } from 'vitest';
import type { PluginDeclaration } from '../../core/plugin-api/index.js';
import { createTestSource, type TestSource } from '../../core/testkit/index.js';

/** A fake upstream as the harness needs it: its address, a way to close it, and maybe a clock. */
export interface HarnessFake {
  url: string;
  close(): Promise<void>;
  /** The fake's clock, for fakes whose answers depend on the time. */
  now?: () => number;
}

export interface HarnessSetup<F extends HarnessFake> {
  plugin: PluginDeclaration;
  startFake(): Promise<F>;
  /** Options of every source `make` creates (the place), under the test's own. */
  options?: Record<string, unknown>;
  /** Credentials of every source, unless a test passes others. */
  credentials?: Record<string, string>;
  /** Sets the fake's clock to a test's `now` as well as the source's. */
  fakeClock?: boolean;
}

/** How a test wants its source besides its options. */
export interface MakeSetting {
  credentials?: Record<string, string>;
  /** The source's clock (and with `fakeClock` the fake's) stands still at this instant. */
  now?: number;
}

export interface SourceHarness<F extends HarnessFake> {
  /** A fresh fake and a source of the plugin against it: base_url set, no retries unless asked. */
  make(options?: Record<string, unknown>, setting?: MakeSetting): Promise<{ fake: F; src: TestSource }>;
  /** A fresh fake, for a test that creates its sources itself. */
  startFake(): Promise<F>;
  /** Stops `src` after the test; returns it. */
  track(src: TestSource): TestSource;
}

/**
 * The usual setup of a plugin test against one fake upstream: every fake and source a test
 * starts is stopped after it (sources first), so a test only says what differs.
 */
export function useSourceHarness<F extends HarnessFake>(setup: HarnessSetup<F>): SourceHarness<F> {
  let fakes: F[] = [];
  let sources: TestSource[] = [];
  afterEach(async () => {
    for (const src of sources) await src.stop();
    for (const fake of fakes) await fake.close();
    sources = [];
    fakes = [];
  });
  const startFake = async () => {
    const fake = await setup.startFake();
    fakes.push(fake);
    return fake;
  };
  const track = (src: TestSource) => (sources.push(src), src);
  const start = async (options: (fake: F) => Record<string, unknown>, setting: MakeSetting = {}) => {
    const { now } = setting;
    const fake = await startFake();
    if (now !== undefined && setup.fakeClock) fake.now = () => now;
    const src = await createTestSource({
      plugin: setup.plugin,
      options: options(fake),
      credentials: setting.credentials ?? setup.credentials,
      ...(now === undefined ? {} : { now: () => now }),
    });
    return { fake, src: track(src) };
  };
  const make = (options: Record<string, unknown> = {}, setting?: MakeSetting) =>
    start((fake) => ({ ...setup.options, base_url: fake.url, retries: 0, ...options }), setting);
  return { make, startFake, track };
}
