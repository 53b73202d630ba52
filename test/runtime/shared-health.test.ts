// What `/health` shows of a source and of a host when hosts share the sources (issue 22, item 3):
// the rules of core/runtime/shared-health.ts on the reports the hosts leave in Redis.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { RunReports } from '../../core/runtime/run-reports.js';
import { displayUrl, hostEntry, mergeSourceHealth, type Heartbeat, type RunRecord } from '../../core/runtime/shared-health.js';
import type { SourceHealth } from '../../core/runtime/source-state.js';
import { tickOf } from '../../core/runtime/shared-runs.js';

const T = Date.parse('2026-12-06T10:00:00.000Z');

/** This host's own report of a source it has not run: started, nothing fetched. */
const own: SourceHealth = {
  plugin: 'watttime', status: 'unknown', status_detail: 'starting' as SourceHealth['status_detail'], credentials_configured: true,
  last_successful_fetch: null, last_token_refresh: null, token_refresh_count: 0, token_expires_at: null, consecutive_failures: 0,
  last_error: null, last_written: null, next_run: null, title: 'WattTime', schedule: 'every 10s', hint: null, points_last_run: 0,
  newest_point: null, warnings: [], item_errors: [], details: {},
};

describe('a source on a host that shares the sources', () => {
  it('shows the newest run whichever host ran it, with the host, its ticks and how late it started', () => {
    const record: RunRecord = { host: 'b', tick: T, started: T + 250, ended: T + 900, health: { ...own, status: 'healthy', status_detail: 'operational', last_successful_fetch: new Date(T + 900).toISOString(), points_last_run: 12 } };
    const shown = mergeSourceHealth(own, record, T + 10_000, T + 5_000);
    expect(shown).toMatchObject({
      status: 'healthy',
      points_last_run: 12,
      host: 'b',
      last_tick: '2026-12-06T10:00:00.000Z',
      next_tick: '2026-12-06T10:00:10.000Z',
      next_run: '2026-12-06T10:00:10.000Z',
      lag_seconds: 0.3,
    });
  });

  it('shows a next tick no host has taken as lag, and a source no host has run as its own report', () => {
    expect(mergeSourceHealth(own, undefined, T, T + 42_000)).toMatchObject({ status: 'unknown', host: null, last_tick: null, lag_seconds: 42 });
    // Not scheduled in Redis (emptied, or Redis away): no next tick, nothing invented.
    expect(mergeSourceHealth(own, undefined, undefined, T)).toMatchObject({ next_tick: null, lag_seconds: null });
  });

  it("keeps this host's own report for a run of its own (the runner has it) and its own plugin facts", () => {
    const mine: RunRecord = { host: 'a', tick: T, started: T + 10, ended: T + 20 };
    expect(mergeSourceHealth({ ...own, status: 'degraded' }, mine, undefined, T + 30)).toMatchObject({ status: 'degraded', host: 'a', lag_seconds: 0 });
  });
});

describe('a host in the hosts block', () => {
  const beat: Heartbeat = { id: 'b', instance: 'x', started: T, at: T + 60_000, sources_run: 100, runs: 600, running: 3, version: '0.1.0' };
  it('is up while its heartbeat is fresh, gone after 15 s without one, stopped after a clean stop', () => {
    expect(hostEntry(beat, T + 70_000)).toMatchObject({ id: 'b', status: 'up', running: 3, last_heartbeat: '2026-12-06T10:01:00.000Z' });
    expect(hostEntry(beat, T + 76_000)).toMatchObject({ status: 'gone', running: 0 });
    expect(hostEntry({ ...beat, stopped: true }, T + 61_000)).toMatchObject({ status: 'stopped' });
  });
});

describe('the shared scheduler', () => {
  it("reads a run's tick from its BullMQ job id, and shows the Redis address without its login", () => {
    expect(tickOf({ id: 'repeat:carbon-eu:1796551200000', timestamp: 1 })).toBe(1796551200000);
    expect(tickOf({ id: 'repeat:a:b:c:1796551200000', timestamp: 1 })).toBe(1796551200000);
    expect(tickOf({ id: 'custom', timestamp: 7 })).toBe(7);
    expect(displayUrl('redis://homeiq:s3cret@redis.lan:6379/2')).toBe('redis://redis.lan:6379/2');
    expect(displayUrl('rediss://:s3cret@cache:6380')).toBe('rediss://cache:6380');
  });
});

describe("what the hosts left in Redis, read for /health", () => {
  it('skips entries that are not a host or a run (another program, another version) and shows the rest', async () => {
    const client = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
    const prefix = `reports-${randomUUID().slice(0, 8)}`;
    try {
      const good: Heartbeat = { id: 'a', instance: 'x', started: Date.now() - 1000, at: Date.now(), sources_run: 1, runs: 2, running: 0, version: '0.1.0' };
      await client.hset(`${prefix}:hosts`, 'a', JSON.stringify(good), 'b', JSON.stringify({ id: 'b', at: 'soon' }), 'c', 'not json');
      await client.hset(`${prefix}:runs`, 'carbon', JSON.stringify({ host: 'b', tick: 'yesterday', started: 1, ended: 2 }), 'weather', JSON.stringify({ host: 'a', tick: T, started: T + 100, ended: T + 200, health: { ...own, status: 'healthy' } }));
      const reports = new RunReports({ client, prefix, repeatKey: `${prefix}:sources:repeat`, connected: () => true, healthOf: () => undefined, onRedisError: (err) => { throw err; } });
      await reports.refresh();
      expect(reports.heartbeats.map((b) => b.id)).toEqual(['a']);
      expect(reports.sourceHealth('carbon', own)).toMatchObject({ status: 'unknown', host: null, last_tick: null });
      expect(reports.sourceHealth('weather', own)).toMatchObject({ status: 'healthy', host: 'a', last_tick: '2026-12-06T10:00:00.000Z' });
    } finally {
      await client.del(`${prefix}:hosts`, `${prefix}:runs`);
      client.disconnect();
    }
  });
});
