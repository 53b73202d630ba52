import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { createTestSource, type TestSource } from '../../../core/testkit/index.js';
import { feedTarget } from '../../../plugins/ics/feed-download.js';
import { rollingFeed, SECRET_FEED_PATH, startFakeIcs, type FakeIcs } from '../../fakes/ics.js';
import { describeGoldenCases, type GoldenCase } from '../../support/golden-cases.js';
import { describeLifecycle } from '../../support/lifecycle-suite.js';
import { clockAt, golden, GOLDEN_CASES, goldenCase, icsPlugin, icsSource, inTimeZone } from './helpers.js';

let fake: FakeIcs;
let src: TestSource | undefined;
beforeEach(async () => {
  fake = await startFakeIcs();
});
afterEach(async () => {
  vi.useRealTimers();
  await src?.stop();
  src = undefined;
  await fake.close();
});

/** Runs the feed of golden case `name` (its clock and options), as the golden cases do. */
async function goldenRun(name: string): Promise<TestSource> {
  const golden = goldenCase(name);
  clockAt(golden.now);
  fake.setFeed(SECRET_FEED_PATH, golden.feed);
  const source = await icsSource(fake, golden.options);
  const outcome = await source.run();
  expect(outcome.error?.message).toBeUndefined();
  return source;
}

describeGoldenCases<GoldenCase, FakeIcs>('ics', {
  dir: GOLDEN_CASES,
  make: async (golden) => {
    clockAt(golden.now);
    src = await icsSource(fake, golden.options);
    return { fake, src };
  },
});

describe('ics recorded feeds', () => {
  for (const name of ['normal', 'dst']) {
    for (const tz of ['Asia/Tokyo', 'America/Los_Angeles']) {
      it(`${name}: the same points when the host runs in ${tz}`, async () => {
        src = await inTimeZone(tz, () => goldenRun(name));
        expect(JSON.parse(JSON.stringify(src.points))).toEqual(goldenCase(name).expect.points);
      });
    }
  }

  it('downloads the feed as text/calendar and says what it read', async () => {
    src = await goldenRun('normal');
    expect(fake.requests).toEqual([{ path: SECRET_FEED_PATH, accept: expect.stringContaining('text/calendar') }]);
    expect(src.health().details).toEqual({ calendar_name: 'Family', time_zone: 'Europe/Berlin', events: 7 });
  });

  it('time_zone overrides the feed\'s zone for all-day events; calendar names the tag', async () => {
    clockAt('2026-05-07T06:00:00.000Z');
    fake.setFeed(SECRET_FEED_PATH, golden('normal.ics'));
    src = await icsSource(fake, { time_zone: 'America/New_York', calendar: 'family-feed' });
    await src.run();
    const trip = src.points.find((p) => p.tags.event_id === 'trip-lisbon@example.com')!;
    expect([trip.time.toISOString(), trip.fields.end, trip.tags.calendar]).toEqual(['2026-05-06T04:00:00.000Z', '2026-05-11T04:00:00.000Z', 'family-feed']);
    // Times with a TZID keep their own zone.
    expect(src.points.find((p) => p.tags.event_id === 'dentist@example.com')!.time.toISOString()).toBe('2026-05-12T12:30:00.000Z');
  });

  it('takes a path without a host relative to base_url', async () => {
    fake.setFeed('/feeds/family.ics', rollingFeed());
    src = await icsSource(fake, { url: '/feeds/family.ics', base_url: fake.url });
    expect((await src.run()).ok).toBe(true);
    expect(fake.requests[0]!.path).toBe('/feeds/family.ics');
  });

  it('reads webcal:// addresses as https://', () => {
    expect(feedTarget('webcal://p12-caldav.icloud.com/published/2/abc')).toEqual({ target: 'https://p12-caldav.icloud.com/published/2/abc', absolute: true });
    expect(feedTarget('https://calendar.google.com/calendar/ical/x/basic.ics').absolute).toBe(true);
  });
});

describe('ics changes between runs', () => {
  it('an event gone from the feed gets one cancelled point, a moved one is cancelled at its old start', async () => {
    src = await goldenRun('normal');
    const next = golden('normal.ics')
      .replace(/BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260506[\s\S]*?END:VEVENT\r\n/, '')
      .replace('DTSTART;TZID=Europe/Berlin:20260512T143000', 'DTSTART;TZID=Europe/Berlin:20260512T160000')
      .replace('DTEND;TZID=Europe/Berlin:20260512T151500', 'DTEND;TZID=Europe/Berlin:20260512T164500');
    fake.setFeed(SECRET_FEED_PATH, next);
    const before = src.points.length;
    await src.run();
    const second = src.points.slice(before).map((p) => `${p.tags.event_id}@${p.time.toISOString()}:${p.fields.status}`);
    expect(second).toEqual(
      expect.arrayContaining([
        'trip-lisbon@example.com@2026-05-05T22:00:00.000Z:cancelled',
        'dentist@example.com@2026-05-12T14:00:00.000Z:tentative',
        'dentist@example.com@2026-05-12T12:30:00.000Z:cancelled',
      ]),
    );
    expect(second).toHaveLength(8);
    expect(src.latest()).toMatchObject({ current: [], next: { event_id: 'holiday@example.com_20260508' } });
    const third = src.points.length;
    await src.run();
    expect(src.points.slice(third).some((p) => p.fields.status === 'cancelled')).toBe(false);
  });
});

describe('ics README', () => {
  it('holds a complete sources: entry whose options validate', async () => {
    const readme = readFileSync(new URL('../../../plugins/ics/README.md', import.meta.url), 'utf8');
    const sample = parse(/```yaml\n([\s\S]*?)```/.exec(readme)![1]!) as { sources: Record<string, { plugin: string; options?: Record<string, unknown> }> };
    const entry = Object.values(sample.sources)[0]!;
    expect(entry.plugin).toBe('ics');
    src = await createTestSource({ plugin: icsPlugin, options: entry.options ?? {} });
    expect(src.runnable).toBe(true);
    expect(src.options).toMatchObject({ days_ahead: 60, time_zone: 'Europe/Berlin' });
  });

  it('refuses a source without url, naming the key', async () => {
    await expect(createTestSource({ plugin: icsPlugin, options: {} })).rejects.toThrow(/url/);
  });
});

describeLifecycle('ics', {
  plugin: icsPlugin,
  startFake: async () => {
    const f = await startFakeIcs();
    f.setFeed('/calendar/ical/rolling/basic.ics', rollingFeed());
    return f;
  },
  options: { url: 'calendar/ical/rolling/basic.ics' },
  checkPoints: (points) => {
    expect(points[0]).toMatchObject({ measurement: 'calendar_event', tags: { calendar: 'lifecycle' }, fields: { summary: 'Daily check', all_day: false } });
  },
});
