import { readFileSync } from 'node:fs';
import { vi } from 'vitest';
import { createTestSource, type TestSource } from '../../../core/testkit/index.js';
import plugin from '../../../plugins/google-calendar/index.js';
import type { FakeGoogle } from '../../fakes/google-calendar.js';

/** A recorded body (or expectation) from golden/. */
export function golden<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./golden/${name}`, import.meta.url), 'utf8')) as T;
}

/** Freezes `Date` (only Date: timers and sockets stay real) at `iso`. */
export function clockAt(iso: string): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(iso));
}

export function advanceClock(ms: number): void {
  vi.setSystemTime(new Date(Date.now() + ms));
}

export function credentialsOf(fake: FakeGoogle): Record<string, string> {
  return { client_id: fake.clientId, client_secret: fake.clientSecret, refresh_token: fake.refreshToken };
}

/** A google-calendar source against the fake, through the real runtime. */
export function googleSource(
  fake: FakeGoogle,
  over: { options?: Record<string, unknown>; credentials?: Record<string, string>; id?: string } = {},
): Promise<TestSource> {
  return createTestSource({
    plugin,
    id: over.id ?? 'test',
    options: { base_url: `${fake.url}/calendar/v3`, token_url: `${fake.url}/token`, retries: 0, ...over.options },
    credentials: over.credentials ?? credentialsOf(fake),
  });
}

/** Requests the fake got for events.list, in order. */
export function eventRequests(fake: FakeGoogle): FakeGoogle['requests'] {
  return fake.requests.filter((r) => r.path.endsWith('/events'));
}
