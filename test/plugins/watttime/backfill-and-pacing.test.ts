import { afterEach, describe, expect, it, vi } from 'vitest';
import { RateLimitError, type SourcePoint } from '../../../core/plugin-api/index.js';
import { createTestSource, type TestSource } from '../../../core/testkit/index.js';
import { HistoricalBackfill, MAX_GAP_DAYS, SETTLED_MS, WINDOW_DAYS, WINDOWS_PER_RUN } from '../../../plugins/watttime/historical-backfill.js';
import plugin from '../../../plugins/watttime/index.js';
import { pacersFor, REQUEST_LIMIT, RequestPacer } from '../../../plugins/watttime/request-pacer.js';
import { fakeValue, startFakeWattTime, type FakeWattTime, type WattTimeAccess } from '../../fakes/watttime.js';

// The history without holes (backfill at start, in windows inside WattTime's 32-day limit, and
// every gap after) and the client-side pacing under WattTime's per-account limits.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PERIOD = 300_000;
const USER = { username: 'grid-watcher', password: 'Gr1d-carbon!' };
let fake: FakeWattTime | undefined;
let src: TestSource | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await src?.stop();
  await fake?.close();
  src = undefined;
  fake = undefined;
});

async function make(options: Record<string, unknown>, access?: WattTimeAccess[], credentials = USER): Promise<{ fake: FakeWattTime; src: TestSource }> {
  fake = await startFakeWattTime();
  fake.addUser(credentials.username, credentials.password, access);
  src = await createTestSource({ plugin, id: 'carbon', options: { base_url: fake.url, retries: 0, series: ['historical'], ...options }, credentials });
  return { fake, src };
}

const historyRequests = (f: FakeWattTime) =>
  f.requests.filter((r) => r.path === '/v3/historical').map((r) => ({ region: r.query.region, start: Date.parse(r.query.start!), end: Date.parse(r.query.end!), status: r.status }));

/** The history times of one region: every 5 minutes from `first` to `last`, none missing. */
function expectGapless(points: readonly SourcePoint[], region: string, first: number, last: number, once = false): void {
  const all = points.filter((p) => p.tags.series === 'historical' && p.tags.region === region).map((p) => p.time.getTime());
  const times = [...new Set(all)].sort((a, b) => a - b);
  if (once) expect(all.length).toBe(times.length);
  expect([times[0], times.at(-1)]).toEqual([first, last]);
  expect(times.length).toBe((last - first) / PERIOD + 1);
}

const ceilPeriod = (t: number) => Math.ceil(t / PERIOD) * PERIOD;
const floorPeriod = (t: number) => Math.floor(t / PERIOD) * PERIOD;

describe('watttime backfill', () => {
  it('reads 40 days of history in 7-day windows over two runs, each point once', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const now = Date.UTC(2024, 5, 18, 18, 42, 17);
    vi.setSystemTime(now);
    const { fake, src } = await make({ backfill: 40 * 24 });
    expect((await src.run()).ok).toBe(true);
    const first = historyRequests(fake);
    expect(first).toHaveLength(WINDOWS_PER_RUN);
    expect(first[0]!.start).toBe(now - 40 * DAY);
    for (const w of first) expect(w.end - w.start).toBeLessThan(WINDOW_DAYS * DAY);
    expect(src.health().details).toMatchObject({ historical_until: { CAISO_NORTH: new Date(first.at(-1)!.end).toISOString() } });
    expect((await src.run()).ok).toBe(true);
    const second = historyRequests(fake).slice(WINDOWS_PER_RUN);
    expect(second.map((w) => w.end - w.start)).toEqual([WINDOW_DAYS * DAY - 1, 40 * DAY - WINDOWS_PER_RUN * WINDOW_DAYS * DAY - WINDOW_DAYS * DAY]);
    expect(second.at(-1)!.end).toBe(now);
    expect(fake.requests.every((r) => r.status === 200)).toBe(true);
    expectGapless(src.points, 'CAISO_NORTH', ceilPeriod(now - 40 * DAY), floorPeriod(now), true);
    for (const p of src.points.slice(0, 50)) expect(p.fields.value).toBe(fakeValue('CAISO_NORTH', 'co2_moer', p.time));
  });

  it('fills the gap of failed runs and never loses what a failed run read', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.UTC(2024, 5, 18, 18, 42, 17);
    vi.setSystemTime(start);
    const access: WattTimeAccess[] = [{ region: 'CAISO_NORTH', signal_type: 'co2_moer' }, { region: 'PSCO', signal_type: 'co2_moer' }];
    const { fake, src } = await make({ backfill: 1, region: ['CAISO_NORTH', 'PSCO'], series: ['historical', 'index'] }, access);
    expect((await src.run()).ok).toBe(true);
    // One hour later the history answers 503: recorded for that part, nothing skipped.
    vi.setSystemTime(start + HOUR);
    fake.failNext(1, 503, { path: '/v3/historical' });
    await src.run();
    expect(src.health().item_errors).toEqual([{ item: 'CAISO_NORTH historical', message: 'WattTime answered 503 Service Unavailable for the CAISO_NORTH history: fake failure 503' }]);
    // Two hours later CAISO_NORTH's history is read, then a 429 ends the run: its points are lost,
    // so the next run reads the same stretch again.
    vi.setSystemTime(start + 2 * HOUR);
    fake.failNext(1, 429, { path: '/v3/signal-index' });
    expect((await src.run()).ok).toBe(false);
    expect(src.health().status_detail).toBe('rate_limited');
    vi.setSystemTime(start + 3 * HOUR);
    expect((await src.run()).ok).toBe(true);
    const caiso = historyRequests(fake).filter((w) => w.region === 'CAISO_NORTH');
    expect(caiso.map((w) => w.status)).toEqual([200, 503, 200, 200]);
    expect(caiso[3]!.start).toBe(caiso[2]!.start);
    expect(caiso[1]!.start).toBe(caiso[2]!.start);
    for (const region of ['CAISO_NORTH', 'PSCO']) expectGapless(src.points, region, ceilPeriod(start - HOUR), floorPeriod(start + 3 * HOUR));
  });

  it('asks again from the newest point received (inclusive) when WattTime publishes late', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.UTC(2024, 5, 18, 18, 42, 17);
    vi.setSystemTime(start);
    const { fake, src } = await make({ backfill: 3 });
    fake.publicationDelayMs = 2 * HOUR;
    expect((await src.run()).ok).toBe(true);
    vi.setSystemTime(start + HOUR);
    expect((await src.run()).ok).toBe(true);
    const newest = floorPeriod(start - 2 * HOUR);
    // From the newest point, inclusive: it is read again, so every run carries the current value.
    expect(historyRequests(fake)[1]).toMatchObject({ start: newest, end: start + HOUR });
    expectGapless(src.points, 'CAISO_NORTH', ceilPeriod(start - 3 * HOUR), floorPeriod(start - HOUR));
    expect(src.health().details).toMatchObject({ historical_until: { CAISO_NORTH: new Date(floorPeriod(start - HOUR)).toISOString() } });
  });

  it('starts at the last success when it is older than the backfill, at most 30 days back', () => {
    const now = Date.UTC(2024, 5, 18, 12);
    const windows = (lastSuccess: number | null, hours = 24) => new HistoricalBackfill(hours).windows('X', now, lastSuccess === null ? null : new Date(lastSuccess));
    expect(windows(null)[0]!.start.getTime()).toBe(now - DAY);
    expect(windows(now - 3 * DAY)[0]!.start.getTime()).toBe(now - 3 * DAY);
    expect(windows(now - HOUR)[0]!.start.getTime()).toBe(now - DAY);
    expect(windows(now - 90 * DAY)[0]!.start.getTime()).toBe(now - MAX_GAP_DAYS * DAY);
    expect(windows(now - 90 * DAY, 60 * 24)[0]!.start.getTime()).toBe(now - 60 * DAY);
    expect(windows(null, 0)).toEqual([{ start: new Date(now), end: new Date(now) }]);
  });

  it('asks again for a recent window that brought nothing, and moves past an old one', () => {
    const now = Date.UTC(2024, 5, 18, 12);
    const backfill = new HistoricalBackfill(24);
    const [window] = backfill.windows('X', now, null);
    backfill.record('X', window!, [], now);
    backfill.commit();
    expect(backfill.windows('X', now + PERIOD, null)[0]!.start).toEqual(window!.start);
    backfill.record('X', window!, [], now + window!.end.getTime() - window!.start.getTime() + SETTLED_MS + 1);
    backfill.discard();
    expect(backfill.windows('X', now + PERIOD, null)[0]!.start).toEqual(window!.start);
    backfill.record('X', window!, [], window!.end.getTime() + SETTLED_MS + 1);
    backfill.commit();
    expect(backfill.windows('X', now + PERIOD, null)[0]!.start.getTime()).toBe(window!.end.getTime() + 1);
  });
});

describe('watttime pacing', () => {
  it('waits for a free slot, and refuses with the wait when it is longer than allowed', async () => {
    let clock = 0;
    const pacer = new RequestPacer(2, 60_000, 'requests', 3000, () => clock);
    await pacer.take();
    clock = 1000;
    await pacer.take();
    const refused = (await pacer.take(undefined, 5000).catch((e: unknown) => e)) as RateLimitError;
    expect(refused).toBeInstanceOf(RateLimitError);
    expect(refused.retryAfterMs).toBe(59_000);
    expect(refused.message).toBe('this host sent 2 requests to WattTime in the last 1 minutes (WattTime allows 3000 per account); waiting until one frees up');
    clock = 60_000;
    await pacer.take();
    expect(pacer.used).toBe(2);
    const real = new RequestPacer(1, 150, 'requests', 3000);
    await real.take();
    const started = Date.now();
    await real.take();
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    await expect(real.take(AbortSignal.abort(new Error('stopping')))).rejects.toThrow('stopping');
  });

  it('shares one budget per account and turns a spent one into rate_limited before calling WattTime', async () => {
    const user = { username: 'busy-account', password: 'Bu5y-account!' };
    const shared = pacersFor(user.username).requests;
    for (let i = 0; i < REQUEST_LIMIT; i++) await shared.take();
    const { fake, src } = await make({}, undefined, user);
    await src.run();
    expect(src.health()).toMatchObject({ status: 'degraded', status_detail: 'rate_limited' });
    expect(src.health().last_error?.message).toMatch(/^this host sent 2900 requests to WattTime in the last 5 minutes/);
    expect(fake.requests).toHaveLength(0);
    expect(pacersFor(user.username).requests).toBe(shared);
  });
});
