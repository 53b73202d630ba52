import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SourcePoint } from '../../core/plugin-api/point.js';
import type { StorageConfig } from '../../core/config/types.js';
import { createStorage, type Storage } from '../../core/storage/index.js';
import { compactLines } from '../../core/storage/line-compaction.js';
import { LocalFileWriter } from '../../core/storage/local-file-writer.js';
import { toLineProtocol } from '../../core/storage/line-protocol.js';
import { capturedLogger, storageConfig, tempDir } from '../support/storage-fixture.js';

const HOUR = 3_600_000;
/** Two days ago, 00:00 UTC: a day that is over, and within the default retention. */
const PAST_DAY = Math.floor(Date.now() / (24 * HOUR) - 2) * 24 * HOUR;
const pastFile = `${new Date(PAST_DAY).toISOString().slice(0, 10)}.lp`;

/** A 24-hour forecast of two regions, hourly, as fetched at run `run` (its values change every run). */
function forecast(start: number, run: number): SourcePoint[] {
  return ['CAISO', 'ERCOT'].flatMap((region) =>
    Array.from({ length: 24 }, (_, h) => ({
      measurement: 'carbon_forecast',
      tags: { source: 'watttime', region },
      fields: { moer: run * 100 + h, label: `run ${run}, a "quoted" value` },
      time: new Date(start + h * HOUR),
    })),
  );
}

const dayFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.lp')).sort();
const linesOf = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
const bytesOf = (dir: string) => dayFiles(dir).reduce((sum, f) => sum + statSync(path.join(dir, f)).size, 0);

/** A host's run: the storage started, the forecast of PAST_DAY written `runs` times (one flush each), closed. */
async function hostRun(config: StorageConfig, runs: number): Promise<Storage> {
  const storage = createStorage(config, capturedLogger().logger);
  await storage.start();
  for (let run = 1; run <= runs; run++) {
    storage.write(forecast(PAST_DAY, run));
    await storage.flush();
  }
  await storage.close();
  return storage;
}

describe('the local store keeps each point once (last write wins)', () => {
  it('leaves one line per series and time, with the last values, once the day is over', async () => {
    const { dir, cleanup } = tempDir();
    const config = storageConfig(dir);
    const file = path.join(config.local_dir, pastFile);
    await hostRun(config, 10);
    expect(linesOf(file)).toHaveLength(480);

    // The next start finds that day over (today is later) and compacts it.
    await hostRun(config, 0);
    expect(linesOf(file)).toEqual(toLineProtocol(forecast(PAST_DAY, 10)).split('\n'));
    cleanup();
  });

  it('compacts the file of a day still going on once it has grown past the bound', async () => {
    const { dir, cleanup } = tempDir();
    const start = Date.UTC(2026, 5, 30);
    const writer = new LocalFileWriter(dir, { compactAfterBytes: 20_000, now: () => new Date(start) });
    await writer.open();
    for (let run = 1; run <= 50; run++) await writer.write(Buffer.from(toLineProtocol(forecast(start, run))));
    await writer.close();
    const lines = linesOf(path.join(dir, '2026-06-30.lp'));
    // Appended 50 times, 48 lines each: the file never holds much more than two runs' worth.
    expect(lines.length).toBeLessThan(48 * 4);
    const last = new Map(lines.map((l) => [l.replace(/ \S+=.*/, '') + l.slice(l.lastIndexOf(' ')), l]));
    expect(last.size).toBe(48);
    expect([...new Set(lines)]).toEqual(expect.arrayContaining(toLineProtocol(forecast(start, 50)).split('\n')));
    cleanup();
  });

  it('compacts yesterday when the day changes, while the host runs', async () => {
    const { dir, cleanup } = tempDir();
    let now = Date.UTC(2026, 5, 30, 12);
    const writer = new LocalFileWriter(dir, { now: () => new Date(now) });
    await writer.open();
    const day = Date.UTC(2026, 5, 30);
    for (let run = 1; run <= 3; run++) await writer.write(Buffer.from(toLineProtocol(forecast(day, run))));
    expect(linesOf(path.join(dir, '2026-06-30.lp'))).toHaveLength(144);
    now += 24 * HOUR;
    await writer.write(Buffer.from(toLineProtocol(forecast(now, 1))));
    await writer.close();
    expect(linesOf(path.join(dir, '2026-06-30.lp'))).toEqual(toLineProtocol(forecast(day, 3)).split('\n'));
    cleanup();
  });

  it('merges the fields of points written separately, as InfluxDB does', () => {
    const text = ['m,a=1 x=1,y="a b, c" 10', '# a comment', 'm,a=1 y="new\\" one",z=3i 10', 'm,a=2 x=5 10', 'm,a=1 x=7 20', ''].join('\n');
    expect(compactLines(text)).toBe(['m,a=1 x=1,y="new\\" one",z=3i 10', '# a comment', 'm,a=2 x=5 10', 'm,a=1 x=7 20', ''].join('\n'));
  });

  it('loses nothing when a compaction was cut short by a crash', async () => {
    const { dir, cleanup } = tempDir();
    const config = storageConfig(dir);
    await hostRun(config, 3);
    // What a crash in the middle of a compaction leaves: a part of the new file, not yet renamed.
    const file = path.join(config.local_dir, pastFile);
    const partial = compactLines(readFileSync(file, 'utf8')).slice(0, 500);
    writeFileSync(`${file}.compacting`, partial);

    await hostRun(config, 0);
    expect(existsSync(`${file}.compacting`)).toBe(false);
    expect(linesOf(file)).toEqual(toLineProtocol(forecast(PAST_DAY, 3)).split('\n'));
    cleanup();
  });
});

describe('the local store retention', () => {
  const dayName = (ms: number) => `${new Date(ms).toISOString().slice(0, 10)}.lp`;

  it('deletes day files older than local_retention at start and keeps the recent ones', async () => {
    const { dir, cleanup } = tempDir();
    const config = storageConfig(dir, { local_retention_ms: 30 * 24 * HOUR });
    mkdirSync(config.local_dir, { recursive: true });
    const today = Date.now();
    const names = [40, 31, 29, 0, -1].map((daysAgo) => dayName(today - daysAgo * 24 * HOUR));
    for (const name of names) writeFileSync(path.join(config.local_dir, name), `m,source=x v=1 ${Date.parse(name.slice(0, 10))}000000\n`);
    const { logger, logs } = capturedLogger();
    const storage = createStorage(config, logger);
    await storage.start();
    await storage.close();
    expect(dayFiles(config.local_dir)).toEqual(names.slice(2).sort());
    expect(logs.records().some((r) => String(r.msg).includes('older than the retention'))).toBe(true);
    cleanup();
  });

  it('deletes a day file the day it expires, while the host runs', async () => {
    const { dir, cleanup } = tempDir();
    let now = Date.UTC(2026, 5, 30, 12);
    const writer = new LocalFileWriter(dir, { retentionMs: 2 * 24 * HOUR, now: () => new Date(now) });
    await writer.open();
    await writer.write(Buffer.from(toLineProtocol(forecast(Date.UTC(2026, 5, 29), 1))));
    now += 24 * HOUR;
    await writer.write(Buffer.from(toLineProtocol(forecast(now, 1))));
    expect(dayFiles(dir)).toEqual(['2026-06-29.lp', '2026-07-01.lp', '2026-07-02.lp']);
    now += 24 * HOUR;
    await writer.write(Buffer.from(toLineProtocol(forecast(now, 1))));
    await writer.close();
    expect(dayFiles(dir)).toEqual(['2026-07-01.lp', '2026-07-02.lp', '2026-07-03.lp']);
    cleanup();
  });
});

describe('the local store in /health', () => {
  it('shows its size on disk, kept up to date through writes, compactions and retention', async () => {
    const { dir, cleanup } = tempDir();
    const config = storageConfig(dir);
    const first = await hostRun(config, 5);
    const before = bytesOf(config.local_dir);
    expect(before).toBeGreaterThan(0);
    expect(first.health()).toMatchObject({ type: 'local', disk_bytes: before });

    const compacted = await hostRun(config, 0);
    expect(compacted.health().disk_bytes).toBe(bytesOf(config.local_dir));
    expect(compacted.health().disk_bytes).toBeLessThan(before / 4);

    // Retention of one day: the day two days ago is gone, and with it its bytes.
    const expired = await hostRun({ ...config, local_retention_ms: 24 * HOUR }, 0);
    expect(dayFiles(config.local_dir)).toEqual([]);
    expect(expired.health().disk_bytes).toBe(0);
    cleanup();
  });
});
