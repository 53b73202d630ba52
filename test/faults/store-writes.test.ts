import { spawn } from 'node:child_process';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readdirSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { StorageConfig } from '../../core/config/types.js';
import { createStorage, type StorageHealth } from '../../core/storage/index.js';
import type { BatchingStorage, BatchingStorageOptions } from '../../core/storage/batching-storage.js';
import { InfluxV1Writer } from '../../core/storage/influx-v1-writer.js';
import { InfluxV2Writer } from '../../core/storage/influx-v2-writer.js';
import type { LineWriter } from '../../core/storage/line-writer.js';
import type { LogCapture } from '../../core/testkit/log-capture.js';
import { FakeInfluxV2 } from '../support/fake-influx-v2.js';
import { buildStorage, capturedLogger, createDatabase, numberedPoints, storageConfig, storedSequence, tempDir, uniqueName } from '../support/storage-fixture.js';
import { startTamperProxy } from './support/tamper-proxy.js';

const CHILD = fileURLToPath(new URL('./support/local-store-child.ts', import.meta.url));
/** The time numberedPoints gives point 0, in ms. */
const BASE_MS = Date.UTC(2026, 0, 1);
/** A retention that keeps the day files of BASE_MS whatever the date. */
const KEEP_MS = 100 * 365 * 86_400_000;

/** Runs the local-store child under a file-size limit: past `limit` bytes a write is cut short, then refused with EFBIG. */
async function writeUnderFileLimit(config: StorageConfig, points: number, limit: number): Promise<{ health: StorageHealth[]; stderr: string; code: number | null }> {
  const child = spawn('prlimit', [`--fsize=${limit}`, process.execPath, '--import', 'tsx', CHILD, JSON.stringify(config), String(points)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  const health = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as StorageHealth);
  return { health, stderr, code };
}

/** The points of a day file, failing on any line that is not a whole point at its own time. */
function wholePoints(text: string): number[] {
  expect(text === '' || text.endsWith('\n'), 'the day file ends with a whole line').toBe(true);
  return text.split('\n').filter((l) => l !== '').map((line) => {
    const m = /^seq_test,source=full seq=(\d+) (\d+)$/.exec(line);
    expect(m, `a whole line: ${line}`).not.toBeNull();
    const seq = Number(m![1]);
    expect(m![2], `the time of point ${seq}`).toBe(`${BASE_MS + seq * 1000}000000`);
    return seq;
  });
}

describe('the local store on a full disk (a write cut short, then refused)', () => {
  it('counts as written only what is in the file, keeps the file whole, spools the rest and says why', async () => {
    const { dir, cleanup } = tempDir();
    // Small spool segments, so that the spool stays under the limit that stops the day file.
    const config = storageConfig(dir, { spool_max_bytes: 64 * 1024, flush_interval_ms: 3_600_000, local_retention_ms: KEEP_MS });
    const { health, stderr, code } = await writeUnderFileLimit(config, 600, 16 * 1024);
    expect(code, stderr).toBe(0);
    const stored = wholePoints(readFileSync(path.join(config.local_dir, '2026-01-01.lp'), 'utf8'));
    const last = health.at(-1)!;
    expect(stored.length).toBeGreaterThan(100);
    expect(stored).toEqual(Array.from({ length: stored.length }, (_, i) => i));
    // What the storage acknowledged is exactly what the file holds; the rest waits in the spool.
    expect(last.points_written).toBe(stored.length);
    expect(last.spooled_points + last.points_written).toBe(600);
    expect(last).toMatchObject({ type: 'local', status: 'degraded', dropped_points: 0 });
    expect(last.last_error?.message).toContain('EFBIG');
    expect(stderr).toContain('EFBIG');
    cleanup();
  });

  it.each([
    // The last line lost its end: its timestamp still parses, as a time in 1970.
    ['a torn line a crash left at the end of a day file', (whole: string) => `${whole}seq_test,source=full seq=2 17672256`, [0, 1, 3]],
    ['a torn line longer than one read back from the end', (whole: string) => `${whole}seq_test,source=full note="${'x'.repeat(100_000)}`, [0, 1, 3]],
    ['a file that is nothing but a torn line', () => 'seq_test,source=full seq=9 176', [3]],
  ])('cuts off %s when it starts, and says so', async (_what, content, expected) => {
    const { dir, cleanup } = tempDir();
    const config = storageConfig(dir, { flush_interval_ms: 3_600_000, local_retention_ms: KEEP_MS });
    mkdirSync(config.local_dir, { recursive: true });
    const file = path.join(config.local_dir, '2026-01-01.lp');
    writeFileSync(file, content(numberedLines(0, 2)));
    const { logger, logs } = capturedLogger();
    const storage = createStorage(config, logger);
    await storage.start();
    storage.write(numberedPoints('full', 3, 1));
    await storage.close();
    expect(wholePoints(readFileSync(file, 'utf8'))).toEqual(expected);
    expect(logs.text()).toContain('cut off a torn last line');
    expect(logs.text()).toContain('2026-01-01.lp');
    cleanup();
  });
});

function numberedLines(first: number, count: number): string {
  return numberedPoints('full', first, count).map((p) => `seq_test,source=full seq=${String(p.fields.seq)} ${p.time.getTime()}000000\n`).join('');
}

// A fake InfluxDB 2 on loopback, for the answers a real server gives only when broken.
let fake: FakeInfluxV2;
beforeAll(async () => {
  fake = await FakeInfluxV2.start();
});
afterAll(async () => fake.stop());
const open: Array<{ storage: BatchingStorage; cleanup: () => void }> = [];
/** Node's own warnings (TimeoutOverflowWarning) emitted during a test. */
const warnings: string[] = [];
const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
process.on('warning', onWarning);
afterAll(() => {
  process.off('warning', onWarning);
});
afterEach(async () => {
  for (const { storage, cleanup } of open.splice(0)) {
    await storage.close();
    cleanup();
  }
  fake.answer = { status: 204 };
  warnings.length = 0;
});

/** A storage on the fake store (or the given writer), with quick retries (50 ms, doubling up to 200 ms). */
async function fakeStoreStorage(overrides: Partial<BatchingStorageOptions> = {}, writer: LineWriter = v2Writer()): Promise<{ storage: BatchingStorage; logs: LogCapture }> {
  const { dir, cleanup } = tempDir();
  const { logger, logs } = capturedLogger();
  const storage = buildStorage(writer, dir, logger, overrides);
  open.push({ storage, cleanup });
  await storage.start();
  return { storage, logs };
}

function v2Writer(timeout?: string): InfluxV2Writer {
  return new InfluxV2Writer({ url: fake.url, api: 'v2', token: 'tok-0123456789', org: 'homeiq', bucket: 'homeiq', timeout }, 's');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a store that asks to wait longer than a timer can count (Retry-After past 24.8 days)', () => {
  const farAway = [
    ['40 days in seconds', String(40 * 86_400)],
    ['an absurd number of seconds', '99999999999999'],
    ['a date in the year 9999', 'Fri, 31 Dec 9999 23:59:59 GMT'],
  ];
  it.each(farAway)('waits (at most an hour) instead of retrying every millisecond: %s', async (_what, retryAfter) => {
    fake.answer = { status: 429, headers: { 'retry-after': retryAfter }, body: '' };
    const { storage, logs } = await fakeStoreStorage();
    const before = fake.requests;
    storage.write(numberedPoints('s', 0, 5));
    await storage.flush();
    await sleep(500);
    expect(fake.requests - before).toBe(1);
    expect(storage.health()).toMatchObject({ status: 'degraded', spooled_points: 5, dropped_points: 0 });
    expect(storage.health().last_error).toMatchObject({ http_status: 429 });
    expect(logs.records().filter((r) => r.level === 40)).toHaveLength(1);
    expect(warnings).toEqual([]);
  });

  it('never sets a timer past 2^31-1 ms, even for an absurd flush interval', async () => {
    const { storage } = await fakeStoreStorage({ flushIntervalMs: 1e12 });
    const before = fake.requests;
    storage.write(numberedPoints('s', 0, 5));
    await sleep(300);
    expect(fake.requests - before).toBe(0);
    expect(warnings).toEqual([]);
    await storage.flush();
    expect(fake.requests - before).toBe(1);
  });

  it('writes with an absurd request timeout instead of timing out every request at once', async () => {
    const { storage } = await fakeStoreStorage({}, v2Writer('100000000d'));
    storage.write(numberedPoints('s', 0, 5));
    await storage.flush();
    expect(storage.health()).toMatchObject({ status: 'healthy', points_written: 5 });
    expect(warnings).toEqual([]);
  });
});

describe('a store that rejects every line as bad data (400)', () => {
  const REJECTION = JSON.stringify({ code: 'invalid', message: 'unable to parse points: schema rejected by a proxy' });

  it('says so in health as an error, counts the points, and does not split the batch into thousands of requests', async () => {
    fake.answer = { status: 400, body: REJECTION };
    const { storage, logs } = await fakeStoreStorage();
    const before = fake.requests;
    storage.write(numberedPoints('s', 0, 2000));
    await storage.flush();
    expect(fake.requests - before).toBeLessThanOrEqual(100);
    const health = storage.health();
    expect(health).toMatchObject({ status: 'error', dropped_points: 2000, rejected_points: 2000, spooled_points: 0, points_written: 0 });
    expect(health.last_error).toMatchObject({ http_status: 400 });
    expect(health.last_error?.message).toContain('schema rejected by a proxy');
    // One log line for the batch, not one per point.
    const drops = logs.records().filter((r) => String(r.msg).includes('rejected'));
    expect(drops).toHaveLength(1);
    expect(drops[0]).toMatchObject({ dropped: 2000 });

    fake.answer = { status: 204 };
    storage.write(numberedPoints('s', 2000, 10));
    await storage.flush();
    expect(storage.health()).toMatchObject({ status: 'healthy', dropped_points: 2000, rejected_points: 2000, points_written: 10 });
  });
});

describe('a real InfluxDB 1.x that rejects every line (a field changed type)', () => {
  it('costs a bounded number of requests, and says so as an error with the server message', async () => {
    const influxUrl = inject('influxV1Url');
    const db = uniqueName('conflict');
    await createDatabase(influxUrl, db);
    const proxy = await startTamperProxy(influxUrl);
    let requests = 0;
    proxy.tamper = () => {
      requests += 1;
      return undefined;
    };
    const { storage, logs } = await fakeStoreStorage({}, new InfluxV1Writer({ url: proxy.url, api: 'v1', database: db }, 's'));
    storage.write(numberedPoints('s', 0, 1));
    await storage.flush();
    const before = requests;
    // seq was a float; now every point sends it as a string.
    storage.write(numberedPoints('s', 1, 2000).map((p) => ({ ...p, fields: { seq: `n${String(p.fields.seq)}` } })));
    await storage.flush();
    await proxy.close();
    expect(requests - before).toBeLessThanOrEqual(100);
    expect(storage.health()).toMatchObject({ status: 'error', dropped_points: 2000, rejected_points: 2000, points_written: 1 });
    expect(storage.health().last_error?.message).toContain('field type conflict');
    expect(logs.records().filter((r) => String(r.msg).includes('rejected'))).toHaveLength(1);
    expect(await storedSequence(influxUrl, db, 's')).toEqual([0]);
  });
});

describe('points at times no store can hold', () => {
  it('drops and counts them instead of making a day file for the year 275760', async () => {
    const { dir, cleanup } = tempDir();
    const config = storageConfig(dir, { flush_interval_ms: 3_600_000, local_retention_ms: KEEP_MS });
    const { logger, logs } = capturedLogger();
    const storage = createStorage(config, logger);
    await storage.start();
    const [p] = numberedPoints('full', 0, 1);
    storage.write([p!, { ...p!, time: new Date(8.64e15) }, { ...p!, time: new Date(Date.UTC(3000, 0, 1)) }, { ...p!, time: new Date(-1e15) }]);
    await storage.close();
    expect(readdirSync(config.local_dir).filter((f) => f.endsWith('.lp'))).toEqual(['2026-01-01.lp']);
    expect(storage.health()).toMatchObject({ status: 'healthy', dropped_points: 3, points_written: 1 });
    expect(storage.health().last_error?.message).toContain('a time a store cannot hold');
    expect(logs.text()).toContain('+275760-09-13');
    cleanup();
  });
});

describe('the store URL\'s user info in messages', () => {
  it('hides the password, not the username (no `db=***` when the user is named like the database)', async () => {
    fake.answer = { status: 401, body: JSON.stringify({ error: 'user homeiq with password pw-s3cret is not authorized on db=homeiq' }) };
    const url = fake.url.replace('http://', 'http://homeiq:pw-s3cret@');
    const { storage, logs } = await fakeStoreStorage({}, new InfluxV1Writer({ url, api: 'v1', database: 'homeiq' }, 's'));
    storage.write(numberedPoints('s', 0, 1));
    await storage.flush();
    const message = storage.health().last_error?.message ?? '';
    expect(message).toContain('user homeiq with password *** is not authorized on db=homeiq');
    expect(logs.text()).not.toContain('pw-s3cret');
  });
});
