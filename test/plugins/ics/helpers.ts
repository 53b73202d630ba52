import { readFileSync } from 'node:fs';
import { vi } from 'vitest';
import type { PluginDeclaration, SourcePoint } from '../../../core/plugin-api/index.js';
import { createTestSource, type TestSource } from '../../../core/testkit/index.js';
import plugin from '../../../plugins/ics/index.js';
import { SECRET_FEED_PATH, type FakeIcs } from '../../fakes/ics.js';

export const icsPlugin: PluginDeclaration = plugin;

export function golden(name: string): string {
  return readFileSync(new URL(`./golden/${name}`, import.meta.url), 'utf8');
}

export function expected<T = { now: string; options?: Record<string, unknown>; points: unknown[]; latest?: unknown }>(name: string): T {
  return JSON.parse(golden(name)) as T;
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

export function plainPoints(points: readonly SourcePoint[]): { time: string; tags: Record<string, string>; fields: Record<string, unknown> }[] {
  return points.map((p) => {
    const { source: _source, ...tags } = p.tags;
    return { time: p.time.toISOString(), tags, fields: { ...p.fields } };
  });
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
