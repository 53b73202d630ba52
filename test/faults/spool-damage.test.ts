import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LogCapture } from '../../core/testkit/log-capture.js';
import { BatchingStorage } from '../../core/storage/batching-storage.js';
import { InfluxV1Writer } from '../../core/storage/influx-v1-writer.js';
import { batchOf } from '../../core/storage/line-batch.js';
import { Spool } from '../../core/storage/spool.js';
import { InfluxdServer } from '../support/influxd-server.js';
import {
  buildStorage, capturedLogger, createDatabase, eventually, numberedPoints, range, storedSequence, tempDir, uniqueName,
} from '../support/storage-fixture.js';

// A private influxd: some scenarios stop it, which the shared one must never see.
let server: InfluxdServer;
beforeAll(async () => {
  server = await InfluxdServer.start();
});
afterAll(async () => server.destroy());

const open: Array<{ storage: BatchingStorage; cleanup: () => void }> = [];
afterEach(async () => {
  if (!server.running) await server.start();
  for (const { storage, cleanup } of open.splice(0)) {
    await storage.close();
    cleanup();
  }
});

/** What an earlier run left in `dir/spool`: `records` records of `per` numbered points of `source`, as line protocol in seconds. */
async function earlierSpool(dir: string, source: string, records: number, per: number): Promise<string> {
  const spoolDir = path.join(dir, 'spool');
  const spool = new Spool({ dir: spoolDir, maxBytes: 1 << 30 });
  await spool.open();
  const base = Date.UTC(2026, 0, 1) / 1000;
  for (let r = 0; r < records; r++) {
    const lines = range(r * per, (r + 1) * per).map((i) => `seq_test,source=${source} seq=${i} ${base + i}`);
    await spool.append(batchOf(lines, [source]));
  }
  await spool.close();
  return spoolDir;
}

/** A storage on a fresh database, started; the `prepare` step runs on its folder first. */
async function storageOn(prepare: (dir: string) => Promise<void> | void = () => undefined) {
  const db = uniqueName('spooldmg');
  await createDatabase(server.url, db);
  const { dir, cleanup } = tempDir();
  await prepare(dir);
  const { logger, logs } = capturedLogger();
  const storage = buildStorage(new InfluxV1Writer({ url: server.url, api: 'v1', database: db }, 's'), dir, logger, { flushIntervalMs: 50, batchSize: 500 });
  open.push({ storage, cleanup });
  await storage.start();
  return { db, dir, storage, logs };
}

const messages = (logs: LogCapture) => logs.records().map((r) => `${r.level} ${r.msg as string}`);
/** The first segment of an empty spool is /dev/full: every append fails with ENOSPC, as on a full disk. */
function fullDisk(dir: string): void {
  symlinkSync('/dev/full', path.join(dir, 'spool', '000000000001.spool'));
}

const ENOSPC_SEGMENT = '000000000002.spool'; // the segment the next append opens, after an earlier run's first

describe('a spool that cannot be appended to', () => {
  it('replays what an earlier run spooled and writes new points directly while the store is up', async () => {
    const source = uniqueName('src');
    const { db, storage, logs } = await storageOn(async (dir) => {
      const spoolDir = await earlierSpool(dir, source, 30, 100);
      symlinkSync('/dev/full', path.join(spoolDir, ENOSPC_SEGMENT)); // every append: ENOSPC
      mkdirSync(path.join(spoolDir, 'cursor.json.tmp')); // replay progress cannot be recorded either
    });
    for (let i = 3000; i < 6000; i += 100) storage.write(numberedPoints(source, i, 100));
    await eventually('every point stored', async () => (await storedSequence(server.url, db, source)).length === 6000, 15_000);
    expect(await storedSequence(server.url, db, source)).toEqual(range(0, 6000));
    expect(storage.health()).toMatchObject({ spooled_points: 0, dropped_points: 0 });
    expect(messages(logs)).toContain('40 spool: cannot record replay progress on disk; replaying on');
  }, 30_000);

  it('keeps points in memory during an outage and writes them once the store is back', async () => {
    const source = uniqueName('src');
    const { db, dir, storage } = await storageOn();
    fullDisk(dir);
    await server.stop();
    for (let i = 0; i < 2000; i += 100) storage.write(numberedPoints(source, i, 100));
    await eventually('the spool failure reported', () => /ENOSPC/.test(storage.health().last_error?.message ?? ''), 10_000);
    await server.start();
    await eventually('every point stored', async () => (await storedSequence(server.url, db, source)).length === 2000, 15_000);
    expect(storage.health()).toMatchObject({ spooled_points: 0, dropped_points: 0 });
  }, 30_000);

  it('counts and logs at shutdown the points it could neither write nor spool', async () => {
    const source = uniqueName('src');
    const { dir, storage, logs } = await storageOn();
    fullDisk(dir);
    await server.stop();
    for (let i = 0; i < 2350; i += 50) storage.write(numberedPoints(source, i, 50));
    await storage.close();
    expect(storage.health().dropped_points).toBe(2350);
    const lost = logs.records().find((r) => r.msg === 'storage: shutting down with points neither written nor spooled; they are lost');
    expect(lost).toMatchObject({ level: 50, points: 2350 });
  }, 30_000);

  it('makes the spool folder again when it was deleted, and replays it after an outage', async () => {
    const source = uniqueName('src');
    const { db, dir, storage } = await storageOn();
    rmSync(path.join(dir, 'spool'), { recursive: true, force: true });
    await server.stop();
    storage.write(numberedPoints(source, 0, 300));
    await eventually('points spooled', () => storage.health().spooled_points === 300, 10_000);
    await server.start();
    await eventually('every point stored', async () => (await storedSequence(server.url, db, source)).length === 300, 15_000);
    expect(storage.health()).toMatchObject({ spooled_points: 0, dropped_points: 0 });
  }, 30_000);
});

describe('a damaged spool left by an earlier run', () => {
  it('skips the record with a flipped byte, replays the rest, and counts and logs the loss as damage', async () => {
    const source = uniqueName('src');
    const { db, storage, logs } = await storageOn(async (dir) => {
      const spoolDir = await earlierSpool(dir, source, 12, 100);
      const file = path.join(spoolDir, readdirSync(spoolDir).find((f) => f.endsWith('.spool'))!);
      const bytes = readFileSync(file);
      bytes[Math.floor(bytes.length / 2) + 500]! ^= 0x20; // inside the 7th record's lines
      writeFileSync(file, bytes);
    });
    await eventually('the rest replayed', () => storage.health().spooled_points === 0, 15_000);
    const stored = await storedSequence(server.url, db, source);
    expect(stored).toEqual([...range(0, 600), ...range(700, 1200)]);
    expect(storage.health().dropped_points).toBe(100);
    expect(messages(logs)).toContain('50 spool: skipped damaged records; the records after them are kept');
    expect(messages(logs)).not.toContain('40 spool: cut off a record torn by a crash');
  }, 30_000);

  it('starts with stray entries in the folder and a damaged cursor.json, and replays every segment', async () => {
    const source = uniqueName('src');
    const { db, storage, logs } = await storageOn(async (dir) => {
      const spoolDir = await earlierSpool(dir, source, 5, 100);
      mkdirSync(path.join(spoolDir, '000000000007.spool'));
      writeFileSync(path.join(spoolDir, 'README'), 'a stray file');
      writeFileSync(path.join(spoolDir, 'cursor.json'), '{"seq": 42, "offset": 1');
    });
    await eventually('every point stored', async () => (await storedSequence(server.url, db, source)).length === 500, 15_000);
    expect(messages(logs)).toEqual(expect.arrayContaining([
      '40 spool: ignoring entries of the folder that are not segment files',
      '40 spool: cursor.json is damaged or matches no record; replaying from the first segment (points already written are written again)',
    ]));
    expect(storage.health().dropped_points).toBe(0);
  }, 30_000);
});
