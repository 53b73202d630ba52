import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { PluginDeclaration } from '../../core/plugin-api/index.js';
import { createTestSource, type TestSource } from '../../core/testkit/index.js';
import { startFakeExampleApi, type FakeExampleApi } from '../fakes/example-api.js';

/**
 * Each run has its own signal and its own client bound to it (core/runtime/run.ts): nothing a run
 * does is left listening after it ended, and many requests at once in one run are no leak.
 */
const KEY = 'signal-key';

/** Runs `body` with a source of `plugin` against a fake upstream, both stopped afterwards. */
async function withSource(plugin: PluginDeclaration, body: (src: TestSource, fake: FakeExampleApi) => Promise<void>): Promise<void> {
  const fake = await startFakeExampleApi(KEY);
  const src = await createTestSource({ plugin, options: { base_url: fake.url, retries: 0 }, credentials: {} });
  try {
    await body(src, fake);
  } finally {
    await src.stop();
    await fake.close();
  }
}

/** A plugin that reads `ctx.http` and `ctx.signal` in every run, and calls the upstream with `parallel` requests every `every`th run. */
function probe(signals: AbortSignal[], every: number, parallel: number): PluginDeclaration {
  return {
    id: 'signal-probe',
    apiVersion: 1,
    title: 'Signal probe',
    base_url: 'http://127.0.0.1:9',
    create: () => ({
      async fetch(ctx) {
        signals.push(ctx.signal);
        const http = ctx.http;
        if (signals.length % every === 0) {
          await Promise.all(Array.from({ length: parallel }, () => http.get('reading', { headers: { 'x-api-key': KEY } }).text()));
        }
        return [{ measurement: 'probe', fields: { value: signals.length }, time: new Date() }];
      },
    }),
  };
}

/** Collects the process warnings named `name` while `work` runs. */
async function warningsDuring(name: string, work: () => Promise<void>): Promise<Error[]> {
  const seen: Error[] = [];
  const listener = (w: Error) => {
    if (w.name === name) seen.push(w);
  };
  process.on('warning', listener);
  try {
    await work();
    // Warnings are emitted on the next tick.
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off('warning', listener);
  }
  return seen;
}

describe('run signals', () => {
  it('10,000 runs of one source leave no abort listener behind and warn of none', async () => {
    const signals: AbortSignal[] = [];
    await withSource(probe(signals, 500, 2), async (src, fake) => {
      const warnings = await warningsDuring('MaxListenersExceededWarning', async () => {
        for (let i = 0; i < 10_000; i++) expect((await src.run()).ok).toBe(true);
      });
      expect(warnings).toEqual([]);
      expect(fake.requests).toHaveLength(40);
    });
    expect(signals).toHaveLength(10_000);
    expect(new Set(signals).size).toBe(10_000);
    expect(signals.filter((s) => getEventListeners(s, 'abort').length > 0)).toHaveLength(0);
  }, 60_000);

  it('a run making twelve requests at once warns of nothing', async () => {
    const signals: AbortSignal[] = [];
    await withSource(probe(signals, 1, 12), async (src, fake) => {
      const warnings = await warningsDuring('MaxListenersExceededWarning', async () => {
        expect((await src.run()).ok).toBe(true);
      });
      expect(warnings).toEqual([]);
      expect(fake.requests).toHaveLength(12);
    });
    expect(getEventListeners(signals[0]!, 'abort')).toHaveLength(0);
  });
});
