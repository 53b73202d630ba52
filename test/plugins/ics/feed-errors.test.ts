import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TestSource } from '../../../core/testkit/index.js';
import { rollingFeed, SECRET_FEED_PATH, startFakeIcs, type FakeIcs } from '../../fakes/ics.js';
import { clockAt, icsSource, inTimeZone } from './helpers.js';

const SECRET = 'private-5e3c0ffee0ddba11deadbeef0badcafe';
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

async function runFeed(text: string, options: Record<string, unknown> = {}): Promise<TestSource> {
  fake.setFeed(SECRET_FEED_PATH, text);
  src = await icsSource(fake, options);
  await src.run();
  return src;
}
const lastError = (s: TestSource) => s.health().last_error?.message;
const expectSecretKept = (s: TestSource) => {
  expect(s.logs()).not.toContain(SECRET);
  expect(JSON.stringify(s.health())).not.toContain(SECRET);
};

describe('ics malformed feeds', () => {
  it('an empty body is a data error', async () => {
    expect(lastError(await runFeed(''))).toBe('the feed is empty');
  });

  it('an END that closes the wrong BEGIN is a data error naming both lines', async () => {
    const s = await runFeed('BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20260101T000000Z\r\nEND:VTODO\r\nEND:VCALENDAR\r\n');
    expect(lastError(s)).toBe('line 5: END:VTODO does not close BEGIN:VEVENT of line 2');
  });

  it('an event with a second UID line is an item error, not a point whose event_id is a list', async () => {
    // Found by test/faults/parsers.property.test.ts: the parser made the UID an array.
    clockAt('2026-05-07T04:00:00.000Z');
    const s = await runFeed(
      'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:trip@example.com\r\nUID:trip@example.com\r\nDTSTART:20260507T090000Z\r\nDTEND:20260507T100000Z\r\nEND:VEVENT\r\n' +
        'BEGIN:VEVENT\r\nUID:good@example.com\r\nDTSTART:20260507T110000Z\r\nDTEND:20260507T120000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n',
    );
    expect(s.points.map((p) => p.tags.event_id)).toEqual(['good@example.com']);
    expect(s.health().item_errors).toEqual([{ item: 'event trip@example.com', message: 'line 5: a second UID in the event of line 3' }]);
  });

  it('caps a rule that repeats too often in the window and says so, as a warning', async () => {
    clockAt('2026-07-01T00:00:00.000Z');
    const often = rollingFeed().replace('DTSTART:20200101T090000Z', 'DTSTART:20260625T090000Z').replace('DTEND:20200101T093000Z', 'DTEND:20260625T090500Z');
    const s = await runFeed(often.replace('RRULE:FREQ=DAILY', 'RRULE:FREQ=MINUTELY;INTERVAL=10'), { days_ahead: 20 });
    expect(s.points).toHaveLength(2000);
    expect(s.health().warnings).toEqual(['event rolling@example.com repeats more than 2000 times in the window: only the first 2000 are reported']);
  });

  it("shows the calendar parser's own warnings in health, not as stray lines on stderr", async () => {
    const stderr = vi.spyOn(console, 'warn');
    const s = await runFeed(
      'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:odd@example.com\r\nDTSTART:20260507T090000Z\r\nDURATION:soon\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n',
    );
    expect(s.health().warnings).toEqual(['calendar parser: Ignoring malformed DURATION value: "soon" – treating as zero duration']);
    expect(s.logs()).toContain('Ignoring malformed DURATION value');
    expect(stderr.mock.calls.flat().join(' ')).not.toContain('node-ical');
    stderr.mockRestore();
  });

  it('refuses to expand a rule that repeats every few seconds for years, as an item error', async () => {
    const started = Date.now();
    const s = await runFeed(rollingFeed().replace('RRULE:FREQ=DAILY', 'RRULE:FREQ=SECONDLY;INTERVAL=5'));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(s.health().last_error?.message).toMatch(/^event rolling@example.com: its RRULE \(SECONDLY\) has more than 100000 occurrences since 2020-01-01T09:00:00.000Z: not expanded$/);
  });

  it('reads floating times (no TZID, no X-WR-TIMEZONE) in time_zone, whatever the host\'s zone', async () => {
    clockAt('2026-07-01T00:00:00.000Z');
    const floating = rollingFeed().replace('DTSTART:20200101T090000Z', 'DTSTART:20200101T090000').replace('DTEND:20200101T093000Z', 'DTEND:20200101T093000');
    const s = await inTimeZone('Asia/Tokyo', () => runFeed(floating, { time_zone: 'America/New_York', days_back: 0, days_ahead: 1 }));
    expect(s.points.map((p) => [p.time.toISOString(), p.fields.end])).toEqual([['2026-07-01T13:00:00.000Z', '2026-07-01T13:30:00.000Z']]);
  });
});

describe('ics HTTP failures', () => {
  it('a reset secret address (404) is an error that never shows the secret path', async () => {
    src = await icsSource(fake);
    await src.run();
    expect(src.health()).toMatchObject({ status: 'degraded', last_error: { http_status: 404, message: 'ICS feed answered 404 Not Found for GET /[hidden]: Error 404 (Not Found)!!1' } });
    expectSecretKept(src);
  });

  it('retries a 5xx within the run', async () => {
    fake.failNext(2, 503);
    const s = await runFeed(rollingFeed(), { retries: 2 });
    expect(s.health().status_detail).toBe('operational');
    expect(fake.requests).toHaveLength(3);
  });

  it('a persisting 5xx degrades the source, without the secret', async () => {
    fake.failNext(1, 502, { body: 'Bad Gateway' });
    const s = await runFeed(rollingFeed());
    expect(s.health()).toMatchObject({ status_detail: 'degraded', last_error: { http_status: 502, message: 'ICS feed answered 502 Bad Gateway for GET /[hidden]: Bad Gateway' } });
    expectSecretKept(s);
  });

  it('an unreachable publisher is a transient error, without the secret', async () => {
    src = await icsSource(fake);
    await fake.close();
    await src.run();
    expect(lastError(src)).toMatch(/^could not reach ICS feed for GET \/\[hidden\] \(ECONNREFUSED\)$/);
    expectSecretKept(src);
    fake = await startFakeIcs();
  });
});
