import { readFileSync } from 'node:fs';
import { vi } from 'vitest';
import type { PluginDeclaration, SourcePoint } from '../../../core/plugin-api/index.js';
import { createTestSource, type TestSource } from '../../../core/testkit/index.js';
import plugin from '../../../plugins/ics/index.js';
import { SECRET_FEED_PATH, type FakeIcs } from '../../fakes/ics.js';
import type { GoldenAnswer, GoldenCase } from '../../support/golden-cases.js';

export const icsPlugin: PluginDeclaration = plugin;

export function golden(name: string): string {
  return readFileSync(new URL(`./golden/${name}`, import.meta.url), 'utf8');
}

export const GOLDEN_CASES = new URL('./golden/cases/', import.meta.url);

/** Golden case `name` with its recorded feed read. */
export function goldenCase(name: string): GoldenCase<GoldenAnswer> & { feed: string } {
  const golden = JSON.parse(readFileSync(new URL(`${name}.json`, GOLDEN_CASES), 'utf8')) as GoldenCase<GoldenAnswer>;
  return { ...golden, feed: readFileSync(new URL(golden.upstream.bodyFile!, GOLDEN_CASES), 'utf8') };
}

/** Freezes `Date` (only Date: timers and sockets stay real) at `iso`. */
export function clockAt(iso: string): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(iso));
}

/** An ics source (id `family`) reading the fake's secret-address feed. */
export function icsSource(fake: FakeIcs, options: Record<string, unknown> = {}): Promise<TestSource> {
  return createTestSource({ plugin, id: 'family', options: { url: `${fake.url}${SECRET_FEED_PATH}`, retries: 0, ...options } });
}

/** Runs `fn` with the process in time zone `tz` (Node reads TZ afresh when it changes). */
export async function inTimeZone<T>(tz: string, fn: () => Promise<T>): Promise<T> {
  const before = process.env.TZ;
  process.env.TZ = tz;
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
}
