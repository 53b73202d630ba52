import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { expectedValue, HostFleet, RUN_MS, TICK_MS, type Health, type RunNote } from '../support/host-fleet.js';
import { influxQuery } from '../support/influxd-server.js';
import { RedisServer } from '../support/redis-server.js';
import { createDatabase, eventually, range, uniqueName } from '../support/storage-fixture.js';

// Issue 22, item 5: three hosts (`homeiq start`, each its own process) share 300 sources on a
// 10-second interval through BullMQ on a private Redis and write to the real InfluxDB 1.x. The
// scenarios run in order on the same hosts: every tick of every source runs once; a config reload
// seen by one host reaches the others; `kill -9` of a host mid-run loses no tick; Redis restarted
// empty under load. A tick's point is stamped with the tick, so a tick run twice would still show
// as one point: the run logs the synthetic plugin writes tell how often each tick really ran.

const influxUrl = inject('influxV1Url');
const SOURCES = range(0, 300).map((i) => `s${i}`);
/** After the reload: 20 sources gone, 20 new ones. */
const REMOVED = SOURCES.slice(280);
const ADDED = range(0, 20).map((i) => `n${i}`);
const RELOADED = [...SOURCES.slice(0, 280), ...ADDED];

let redis: RedisServer;
let fleet: HostFleet;
let database: string;

beforeAll(async () => {
  database = uniqueName('scale_out');
  await createDatabase(influxUrl, database);
  redis = await RedisServer.start();
  fleet = new HostFleet({ redisUrl: redis.url, influxUrl, database });
  fleet.writeConfig(SOURCES);
  await Promise.all(['a', 'b', 'c'].map((id) => fleet.start(id)));
});

afterAll(async () => {
  await fleet?.destroy();
  await redis?.destroy();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const nextTick = (at: number) => Math.ceil(at / TICK_MS) * TICK_MS;
const ticks = (from: number, to: number) => range(0, Math.floor((to - from) / TICK_MS) + 1).map((i) => from + i * TICK_MS);

/** Every stored point from `from` on, by source: [time ms, value], oldest first. */
async function stored(from: number): Promise<Map<string, Array<[number, number]>>> {
  const result = await influxQuery(influxUrl, `SELECT "value" FROM "synthetic" WHERE time >= ${from}ms GROUP BY "source"`, database);
  const out = new Map<string, Array<[number, number]>>();
  for (const s of result.results[0]?.series ?? []) out.set(s.tags!.source!, s.values.map((row) => [row[0] as number, row[1] as number]));
  return out;
}

/**
 * Problems with the points of `sources` at the ticks `from`..`to`: a tick without its point, a
 * point off the 10-second grid (a run stamped with its own time: a repeat would add a point), or
 * a value that is not the tick's.
 */
async function pointProblems(sources: readonly string[], from: number, to: number): Promise<string[]> {
  const points = await stored(from);
  const want = ticks(from, to);
  const problems: string[] = [];
  for (const source of sources) {
    const got = (points.get(source) ?? []).filter(([t]) => t <= to);
    const times = got.map(([t]) => t);
    if (JSON.stringify(times) !== JSON.stringify(want)) problems.push(`${source}: points at ${times.map((t) => new Date(t).toISOString())}, want ${want.map((t) => new Date(t).toISOString())}`);
    for (const [t, v] of got) if (v !== expectedValue(source, t)) problems.push(`${source} at ${new Date(t).toISOString()}: value ${v}`);
  }
  return problems;
}

/** Waits until the points of the ticks `from`..`to` are all stored, then expects them exact. */
async function expectEveryTick(sources: readonly string[], from: number, to: number): Promise<void> {
  let problems: string[] = [];
  const wait = Math.max(0, to - Date.now()) + 15_000;
  await eventually(`one point per source per tick ${new Date(from).toISOString()}..${new Date(to).toISOString()}`, async () => {
    problems = await pointProblems(sources, from, to);
    return problems.length === 0;
  }, wait).catch(() => undefined);
  expect(problems.slice(0, 10)).toEqual([]);
}

/** (source, tick) pairs from `from` on whose run ended more than once, over all hosts. */
function ranTwice(notes: readonly RunNote[], from: number): string[] {
  const ends = new Map<string, string[]>();
  for (const n of notes) {
    if (n.what !== 'end' || n.tick < from) continue;
    const key = `${n.source}@${new Date(n.tick).toISOString()}`;
    ends.set(key, [...(ends.get(key) ?? []), n.host]);
  }
  return [...ends].filter(([, hosts]) => hosts.length > 1).map(([key, hosts]) => `${key} ran on ${hosts.join(', ')}`);
}

/** Runs whose tick (`ctx.tick`, from the job) is off the 10-second grid of the interval. */
function offGridRuns(notes: readonly RunNote[]): string[] {
  return notes.filter((n) => n.tick % TICK_MS !== 0).map((n) => `${n.source} on ${n.host}: tick ${new Date(n.tick).toISOString()}`);
}

/** The host's log lines (JSON) with this message. */
function logLines(id: string, msg: string): Array<Record<string, unknown>> {
  return fleet
    .output(id)
    .split('\n')
    .filter((line) => line.includes(msg))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.msg === msg);
}

describe('three hosts sharing 300 sources through BullMQ on Redis', () => {
  it('run every tick of every source exactly once, spread over the three, and each /health shows all of them', async () => {
    await eventually('the 300 job schedulers, seen by every host', async () => {
      const all = await Promise.all(['a', 'b', 'c'].map((id) => fleet.health(id)));
      return all.every((h: Health) => h.scheduler.sources_scheduled === 300);
    }, 30_000);
    const first = nextTick(Date.now() + 2_000);
    const last = first + 2 * TICK_MS;
    await expectEveryTick(SOURCES, first, last);
    expect(ranTwice(fleet.runs(), first)).toEqual([]);
    expect(offGridRuns(fleet.runs()).slice(0, 10)).toEqual([]);

    const ranOn = new Set(fleet.runs().filter((n) => n.what === 'end' && n.tick >= first).map((n) => n.host));
    expect([...ranOn].sort()).toEqual(['a', 'b', 'c']);
    // The `hosts` block reads the heartbeats (every 5 s): each host says it ran sources.
    let health: Health;
    await eventually('every host reported in /health with sources run', async () => {
      health = await fleet.health('c');
      return health.hosts.length === 3 && health.hosts.every((h: Health) => h.sources_run > 0);
    }, 15_000);
    expect(health.hosts.map((h: Health) => [h.id, h.status])).toEqual([['a', 'up'], ['b', 'up'], ['c', 'up']]);
    expect(health.scheduler).toMatchObject({ type: 'redis', status: 'healthy', connected: true, host_id: 'c', redis: redis.url, prefix: 'homeiq', sources_scheduled: 300, last_error: null });
    // Any host answers for every source, whichever host ran it.
    for (const id of ['a', 'b']) {
      const h = await fleet.health(id);
      expect(Object.keys(h.sources).sort()).toEqual([...SOURCES].sort());
    }
    expect(Object.keys(health.sources).sort()).toEqual([...SOURCES].sort());
    for (const [id, s] of Object.entries<Health>(health.sources)) {
      expect(['a', 'b', 'c'], id).toContain(s.host);
      expect(Date.parse(s.last_tick) % TICK_MS, id).toBe(0);
      expect(Date.parse(s.last_tick), id).toBeGreaterThanOrEqual(first);
      expect(Date.parse(s.next_tick) % TICK_MS, id).toBe(0);
      expect(Date.parse(s.next_tick), id).toBeGreaterThan(Date.parse(s.last_tick));
      expect(s.lag_seconds, id).toBeGreaterThanOrEqual(0);
      expect(s.status, id).toBe('healthy');
    }
  }, 60_000);

  it('a config reload seen by host a alone (adding and removing sources) reaches b and c through Redis', async () => {
    const changedAt = Date.now();
    fleet.writeConfig(RELOADED);
    await eventually('every host runs the new set of sources, 300 schedulers', async () => {
      const all = await Promise.all(['a', 'b', 'c'].map((id) => fleet.health(id)));
      return all.every((h: Health) => h.scheduler.sources_scheduled === 300 && JSON.stringify(Object.keys(h.sources).sort()) === JSON.stringify([...RELOADED].sort()));
    }, 20_000);
    // Host a saw the file change; b and c never did (their watch is on their own folder): they
    // re-read the file because host a said so through Redis.
    expect(logLines('a', 'config reloaded').map((l) => l.reason)).toEqual(['file changed']);
    for (const id of ['b', 'c']) {
      const reloads = logLines(id, 'config reloaded');
      expect(reloads.map((l) => l.reason), id).toEqual(['the shared scheduler names a change of the sources']);
      expect(reloads[0], id).toMatchObject({ started: expect.arrayContaining(ADDED), stopped: expect.arrayContaining(REMOVED) });
    }

    // The new sources run at every tick from their first (at least 2 s after their scheduler was
    // added), on b and c too; the removed ones on no host.
    const first = nextTick(changedAt + 5_000);
    const last = first + TICK_MS;
    await expectEveryTick(ADDED, first, last);
    await expectEveryTick(SOURCES.slice(0, 280), first, last);
    const addedRuns = fleet.runs().filter((n) => n.what === 'end' && ADDED.includes(n.source));
    expect(addedRuns.some((n) => n.host !== 'a')).toBe(true);
    const removedLater = [...(await stored(changedAt + 1_000))].filter(([source]) => REMOVED.includes(source));
    expect(removedLater).toEqual([]);
    expect(fleet.runs().filter((n) => REMOVED.includes(n.source) && n.tick > changedAt + 1_000)).toEqual([]);
    expect(ranTwice(fleet.runs(), first)).toEqual([]);
    expect(offGridRuns(fleet.runs()).slice(0, 10)).toEqual([]);
    const health = await fleet.health('b');
    for (const id of ADDED) expect(['a', 'b', 'c'], id).toContain(health.sources[id].host);
  }, 60_000);

  it('kill -9 of a host mid-run loses no tick: another host runs what it left within the lock time', async () => {
    // Just after a tick, once host b has begun some of its runs: the kill lands mid-run.
    const tick = nextTick(Date.now() + 1_000);
    const begun = () => fleet.runs().filter((n) => n.host === 'b' && n.tick === tick && n.what === 'start');
    await eventually('host b running its runs of the tick', () => begun().length >= 5, tick - Date.now() + 5_000);
    const killedAt = await fleet.kill('b');
    const before = fleet.runs().filter((n) => n.host === 'b' && n.tick === tick);
    const cut = before.filter((n) => n.what === 'start' && !before.some((e) => e.what === 'end' && e.source === n.source)).map((n) => n.source);
    expect(cut.length).toBeGreaterThan(0);

    // Taken over by a or c within the lock time (≤ 60 s after the kill).
    let takenOver: RunNote[] = [];
    await eventually('the runs host b left, run again by another host', () => {
      takenOver = fleet.runs().filter((n) => n.what === 'end' && n.tick === tick && n.host !== 'b' && cut.includes(n.source));
      return takenOver.length === cut.length;
    }, 60_000);
    const failoverMs = Math.max(...takenOver.map((n) => n.at)) - killedAt;
    console.info(`failover: ${cut.length} runs cut by kill -9 taken over in ${(failoverMs / 1000).toFixed(1)} s`);
    expect(failoverMs).toBeLessThanOrEqual(60_000);

    const [a, c] = await Promise.all([fleet.health('a'), fleet.health('c')]);
    expect(a.scheduler.runs_taken_over + c.scheduler.runs_taken_over).toBeGreaterThanOrEqual(cut.length);
    expect(logLines('a', 'a run left by a host that stopped mid-run is back in the queue, for a live host to run').length + logLines('c', 'a run left by a host that stopped mid-run is back in the queue, for a live host to run').length).toBeGreaterThanOrEqual(cut.length);
    await eventually('host b shown gone on a and c', async () => {
      const views = await Promise.all(['a', 'c'].map((id) => fleet.health(id)));
      return views.every((h: Health) => h.hosts.find((x: Health) => x.id === 'b')?.status === 'gone');
    }, 20_000);

    // Every tick from before the kill to after the takeover has its one point, for every source;
    // none ran twice (the runs cut short never ended).
    const last = nextTick(Date.now()) - TICK_MS;
    await expectEveryTick(RELOADED, tick - TICK_MS, last);
    expect(ranTwice(fleet.runs(), tick - TICK_MS)).toEqual([]);
  }, 90_000);

  it('Redis restarted empty under load: /health answers throughout, runs resume, none doubled', async () => {
    const live = ['a', 'c'];
    const stoppedAt = Date.now();
    await redis.stop();
    // Within a second or two each host says Redis is away, and goes on saying it while Redis
    // stays away; every /health answers meanwhile.
    const outage = (h: Health) =>
      h.status === 'error' && h.scheduler.status === 'error' && h.scheduler.connected === false && String(h.scheduler.last_error?.message).includes('Redis');
    await eventually('every host saying Redis is away', async () => (await Promise.all(live.map((id) => fleet.health(id)))).every(outage), 5_000);
    const until = Date.now() + 4_000;
    let polls = 0;
    while (Date.now() < until) {
      const asked = Date.now();
      const views = await Promise.all(live.map((id) => fleet.health(id)));
      expect(Date.now() - asked).toBeLessThan(2_000);
      for (const h of views) expect(h.scheduler).toMatchObject({ status: 'error', connected: false, last_error: { at: expect.any(String), message: expect.stringContaining('Redis') } });
      polls += 1;
      await sleep(500);
    }
    expect(polls).toBeGreaterThanOrEqual(4);
    await redis.start();
    const backAt = Date.now();

    await eventually('both hosts connected again, the 300 schedulers back', async () => {
      const views = await Promise.all(live.map((id) => fleet.health(id)));
      return views.every((h: Health) => h.scheduler.connected && h.scheduler.status === 'healthy' && h.scheduler.sources_scheduled === 300);
    }, 30_000);
    // Runs resume: a tick after the restart has the points of every source.
    const first = nextTick(backAt);
    let resumed = 0;
    await eventually('a tick after the restart with the points of all 300 sources', async () => {
      const points = await stored(first);
      const done = ticks(first, Date.now()).find((t) => RELOADED.every((s) => points.get(s)?.some(([time]) => time === t)));
      resumed = done ?? 0;
      return done !== undefined;
    }, 45_000);
    expect(resumed - backAt).toBeLessThanOrEqual(30_000);
    await expectEveryTick(RELOADED, resumed, resumed);
    // Before the outage every tick is there; none doubled, during or after it.
    await expectEveryTick(RELOADED, nextTick(stoppedAt - 3 * TICK_MS), nextTick(stoppedAt - RUN_MS - 1_000) - TICK_MS);
    expect(ranTwice(fleet.runs(), stoppedAt - 3 * TICK_MS)).toEqual([]);
    expect(offGridRuns(fleet.runs()).slice(0, 10)).toEqual([]);
    const offGrid = [...(await stored(stoppedAt - 3 * TICK_MS))].flatMap(([s, rows]) => rows.filter(([t]) => t % TICK_MS !== 0).map(([t]) => `${s}@${t}`));
    expect(offGrid).toEqual([]);
  }, 90_000);
});
