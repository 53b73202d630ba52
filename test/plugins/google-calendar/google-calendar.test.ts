import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { credentialFields } from '../../../core/runtime/credentials.js';
import { createTestSource, type TestSource } from '../../../core/testkit/index.js';
import plugin from '../../../plugins/google-calendar/index.js';
import { startFakeGoogle, type FakeGoogle } from '../../fakes/google-calendar.js';
import { describeGoldenCases, type GoldenCase } from '../../support/golden-cases.js';
import { describeLifecycle } from '../../support/lifecycle-suite.js';
import { clockAt, credentialsOf, eventRequests, golden, googleSource } from './helpers.js';

let fake: FakeGoogle;
let src: TestSource | undefined;
beforeEach(async () => {
  fake = await startFakeGoogle();
});
afterEach(async () => {
  vi.useRealTimers();
  await src?.stop();
  src = undefined;
  await fake.close();
});

describeGoldenCases<GoldenCase, FakeGoogle>('google-calendar', {
  dir: new URL('./golden/cases/', import.meta.url),
  make: async (golden) => {
    clockAt(golden.now);
    src = await googleSource(fake, { options: golden.options });
    return { fake, src };
  },
});

describe('google-calendar requests and events', () => {
  it('asks for every occurrence over the window with the access token from the refresh token', async () => {
    clockAt('2026-05-07T06:00:00.000Z');
    fake.load(golden('normal.json'));
    src = await googleSource(fake, { options: { days_back: 2, days_ahead: 10 } });
    await src.run();
    const token = fake.requests.find((r) => r.path === '/token')!;
    expect(token.form).toMatchObject({ grant_type: 'refresh_token', client_id: fake.clientId, refresh_token: fake.refreshToken });
    const [list] = eventRequests(fake);
    expect(list!.path).toBe('/calendar/v3/calendars/primary/events');
    expect(list!.auth).toMatch(/^Bearer ya29\.fake-/);
    expect(list!.query).toMatchObject({ singleEvents: 'true', timeMin: '2026-05-05T06:00:00.000Z', timeMax: '2026-05-18T06:00:00.000Z' });
    expect(src.health()).toMatchObject({ token_refresh_count: 1, details: { calendar_id: 'primary', time_zone: 'Europe/Berlin', sync: 'full', events: 4 } });
    // The window ends 10 days ahead: the event of 20 May is left out.
    expect(src.points.map((p) => p.tags.event_id)).not.toContain('private77');
  });

  it('reads a calendar by id, with its own tag and an all-day zone from the options', async () => {
    clockAt('2026-05-07T06:00:00.000Z');
    fake.load(golden('normal.json'));
    src = await googleSource(fake, { options: { calendar_id: 'family@group.calendar.google.com', calendar: 'family', time_zone: 'America/New_York' } });
    await src.run();
    expect(eventRequests(fake)[0]!.path).toBe('/calendar/v3/calendars/family%40group.calendar.google.com/events');
    const holiday = src.points.find((p) => p.tags.event_id === 'abc123_20260508')!;
    expect(holiday.tags.calendar).toBe('family');
    expect(holiday.time.toISOString()).toBe('2026-05-08T04:00:00.000Z');
  });

  it('malformed: a dateTime whose UTC offset is out of range (+99:99) is an item error, not an event at an Invalid Date', async () => {
    // Found by test/faults/parsers.property.test.ts: the RFC 3339 pattern let it through to `new Date`.
    clockAt('2026-05-07T04:00:00.000Z');
    fake.load(golden('bad-event.json'));
    fake.upsert({ id: 'bad03', status: 'confirmed', start: { dateTime: '2026-05-07T12:00:00+99:99' }, end: { dateTime: '2026-05-07T13:00:00+02:00' } });
    src = await googleSource(fake);
    expect((await src.run()).ok).toBe(true);
    expect(src.points.map((p) => p.tags.event_id)).toEqual(['good01']);
    expect(src.health().item_errors).toContainEqual({ item: 'event bad03', message: 'event bad03: start.dateTime "2026-05-07T12:00:00+99:99" has no valid UTC offset' });
  });

  it('malformed: when every event is unreadable the run fails with the first one\'s error', async () => {
    clockAt('2026-05-07T04:00:00.000Z');
    fake.upsert({ id: 'bad02', status: 'confirmed', start: { date: '2026-02-30' }, end: { date: '2026-05-09' } });
    src = await googleSource(fake);
    const outcome = await src.run();
    expect(outcome.error?.message).toBe('event bad02: start.date "2026-02-30" is not a date (YYYY-MM-DD)');
    expect(src.health().status_detail).toBe('degraded');
  });

  it('an unknown calendar id is a config error naming the option', async () => {
    src = await googleSource(fake, { options: { calendar_id: 'nobody@group.calendar.google.com' } });
    await src.run();
    expect(src.health()).toMatchObject({ status: 'error', status_detail: 'error' });
    expect(src.health().last_error?.message).toContain('check options.calendar_id');
  });

  it('refuses a time_zone that is not one, before calling Google', async () => {
    src = await googleSource(fake, { options: { time_zone: 'Mars/Olympus' } });
    await src.run();
    expect(src.health().last_error?.message).toBe('options.time_zone "Mars/Olympus" is not an IANA time zone (for example Europe/Berlin)');
    expect(eventRequests(fake)).toHaveLength(0);
  });
});

describe('google-calendar README', () => {
  it('holds a complete sources: entry whose options validate and whose credentials are the plugin\'s', async () => {
    const readme = readFileSync(new URL('../../../plugins/google-calendar/README.md', import.meta.url), 'utf8');
    const sample = parse(/```yaml\n([\s\S]*?)```/.exec(readme)![1]!) as { sources: Record<string, { plugin: string; credentials: Record<string, string>; options?: Record<string, unknown> }> };
    const entry = Object.values(sample.sources)[0]!;
    expect(entry.plugin).toBe('google-calendar');
    expect(Object.keys(entry.credentials).sort()).toEqual(credentialFields(plugin).sort());
    src = await createTestSource({ plugin, options: entry.options ?? {}, credentials: { client_id: 'a', client_secret: 'b', refresh_token: 'c' } });
    expect(src.runnable).toBe(true);
    expect(src.options).toMatchObject({ calendar_id: 'primary', days_ahead: 30, token_url: 'https://oauth2.googleapis.com/token', base_url: 'https://www.googleapis.com/calendar/v3' });
  });
});

describeLifecycle('google-calendar', {
  plugin,
  startFake: async () => {
    const f = await startFakeGoogle({ seed: true });
    return { url: f.url, requestCount: f.requestCount, close: f.close, revokeTokens: f.revokeTokens, loginCount: f.loginCount };
  },
  baseUrl: (url) => `${url}/calendar/v3`,
  // A path-only token_url resolves against base_url's host: the fake's /token.
  options: { token_url: '/token' },
  credentials: credentialsOf({ clientId: 'fake-client-1234.apps.googleusercontent.com', clientSecret: 'GOCSPX-fake-secret-5678', refreshToken: '1//fake-refresh-token-abcdef' } as FakeGoogle),
  badCredentials: { client_id: 'fake-client-1234.apps.googleusercontent.com', client_secret: 'GOCSPX-fake-secret-5678', refresh_token: '1//revoked-token-000' },
  checkPoints: (points) => {
    expect(points[0]).toMatchObject({ measurement: 'calendar_event', tags: { event_id: 'seed0001' }, fields: { summary: 'Bin collection', all_day: false } });
  },
});
