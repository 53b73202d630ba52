import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TestSource } from '../../../core/testkit/index.js';
import { startFakeGoogle, type FakeGoogle } from '../../fakes/google-calendar.js';
import { advanceClock, clockAt, eventRequests, golden, googleSource } from './helpers.js';

const NOW = '2026-05-07T06:00:00.000Z';
const DAY = 86_400_000;
let fake: FakeGoogle;
let src: TestSource;
beforeEach(async () => {
  clockAt(NOW);
  fake = await startFakeGoogle();
  fake.load(golden('normal.json'));
  src = await googleSource(fake);
});
afterEach(async () => {
  vi.useRealTimers();
  await src.stop();
  await fake.close();
});

/** The points of the latest run only. */
async function runOnce(): Promise<TestSource['points']> {
  const before = src.points.length;
  const outcome = await src.run();
  expect(outcome.error?.message).toBeUndefined();
  return src.points.slice(before);
}
const ids = (points: TestSource['points']) => points.map((p) => `${p.tags.event_id}:${p.fields.status}`);

describe('google-calendar sync', () => {
  it('follows every page with the same query and takes the sync token of the last page', async () => {
    fake.pageSize = 2;
    const points = await runOnce();
    expect(points).toHaveLength(5);
    const lists = eventRequests(fake);
    expect(lists).toHaveLength(3);
    expect(lists[0]!.query.pageToken).toBeUndefined();
    for (const r of lists.slice(1)) {
      expect(r.query.pageToken).toMatch(/^fake-page-/);
      expect(r.query).toMatchObject({ singleEvents: 'true', timeMin: lists[0]!.query.timeMin, timeMax: lists[0]!.query.timeMax });
    }
    await runOnce();
    expect(eventRequests(fake)[3]!.query.syncToken).toMatch(/^fake-sync-/);
  });

  it('then syncs incrementally with the sync token alone and reports new events', async () => {
    await runOnce();
    fake.upsert({ id: 'party01', status: 'confirmed', summary: 'Party', start: { dateTime: '2026-05-09T18:00:00+02:00' }, end: { dateTime: '2026-05-09T23:00:00+02:00' } });
    const points = await runOnce();
    const second = eventRequests(fake)[1]!;
    expect(second.query).toEqual({ singleEvents: 'true', syncToken: expect.stringMatching(/^fake-sync-/), maxResults: '1000' });
    expect(ids(points)).toContain('party01:confirmed');
    expect(points).toHaveLength(6);
    expect(src.health().details).toMatchObject({ sync: 'incremental', events: 6 });
  });

  it('removes a cancelled event: one cancelled point replaces it, then it is gone from runs and /latest', async () => {
    await runOnce();
    expect(src.latest()).toMatchObject({ current: [{ event_id: 'trip2026lisbon' }] });
    fake.cancel('trip2026lisbon');
    const points = await runOnce();
    expect(ids(points).filter((i) => i.startsWith('trip2026lisbon'))).toEqual(['trip2026lisbon:cancelled']);
    const tombstone = points.find((p) => p.tags.event_id === 'trip2026lisbon')!;
    expect(tombstone.time.toISOString()).toBe('2026-05-05T22:00:00.000Z');
    expect(src.latest()).toMatchObject({ current: [], next: { event_id: 'abc123_20260508' } });
    const third = await runOnce();
    expect(ids(third).some((i) => i.startsWith('trip2026lisbon'))).toBe(false);
  });

  it('a deleted recurring series takes its instances along', async () => {
    await runOnce();
    fake.cancel('abc123');
    const points = await runOnce();
    expect(ids(points).filter((i) => i.startsWith('abc123'))).toEqual(['abc123_20260508:cancelled']);
  });

  it('a moved event is written at its new start and its old start is cancelled', async () => {
    await runOnce();
    fake.upsert({ ...(golden<{ items: Record<string, unknown>[] }>('normal.json').items[3]), start: { dateTime: '2026-05-13T10:00:00+02:00' }, end: { dateTime: '2026-05-13T11:00:00+02:00' } });
    const points = await runOnce();
    const dentist = points.filter((p) => p.tags.event_id === 'dentist01').map((p) => [p.time.toISOString(), p.fields.status]);
    expect(dentist).toEqual([
      ['2026-05-13T08:00:00.000Z', 'tentative'],
      ['2026-05-12T12:30:00.000Z', 'cancelled'],
    ]);
  });

  it('on 410 fullSyncRequired discards its state and syncs in full again, in the same run', async () => {
    await runOnce();
    fake.expireSyncTokens();
    fake.cancel('dentist01');
    const points = await runOnce();
    const lists = eventRequests(fake);
    expect(lists).toHaveLength(3);
    expect(lists[1]!.query.syncToken).toBeDefined();
    expect(lists[2]!.query).toMatchObject({ singleEvents: 'true', timeMin: expect.any(String), timeMax: expect.any(String) });
    expect(lists[2]!.query.syncToken).toBeUndefined();
    expect(ids(points)).toEqual(expect.arrayContaining(['5n1t4e0l1m2v9c8b7a6d5e4f3g:confirmed', 'dentist01:cancelled']));
    expect(src.health()).toMatchObject({ status_detail: 'operational', details: { sync: 'resync', events: 4 } });
    expect(src.logs()).toContain('full resync');
  });

  it('syncs in full again once the window slides past what the last full sync covered', async () => {
    // 31.5 days ahead: beyond the first full sync (window + 1 day), inside the window two days later.
    const far = new Date(Date.parse(NOW) + 31.5 * DAY).toISOString();
    fake.upsert({ id: 'farfuture', status: 'confirmed', summary: 'Far', start: { dateTime: far }, end: { dateTime: far } });
    expect(ids(await runOnce())).not.toContain('farfuture:confirmed');
    advanceClock(DAY / 2);
    await runOnce();
    expect(eventRequests(fake)[1]!.query.syncToken).toBeDefined();
    advanceClock(2 * DAY);
    expect(ids(await runOnce())).toContain('farfuture:confirmed');
    expect(eventRequests(fake)[2]!.query.timeMin).toBeDefined();
  });
});
