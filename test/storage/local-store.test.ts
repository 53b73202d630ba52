import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { createStorage } from '../../core/storage/index.js';
import type { SourcePoint } from '../../core/plugin-api/point.js';
import { capturedLogger, createDatabase, range, storageConfig, storedSequence, tempDir, uniqueName } from '../support/storage-fixture.js';

const influxUrl = inject('influxV1Url');

function pointsOver(source: string, days: number, perDay: number): SourcePoint[] {
  return range(0, days * perDay).map((i) => ({
    measurement: 'seq_test',
    tags: { source },
    fields: { seq: i },
    time: new Date(Date.UTC(2026, 2, 30, 23, 0, 0) + i * Math.floor((24 * 3600 * 1000) / perDay)),
  }));
}

describe('the embedded local store (no storage.influxdb)', () => {
  it('appends line protocol to one file per UTC day of the points', async () => {
    const { dir, cleanup } = tempDir();
    const config = storageConfig(dir, { flush_interval_ms: 3_600_000 });
    const storage = createStorage(config, capturedLogger().logger);
    expect(storage.type).toBe('local');
    await storage.start();
    storage.write(pointsOver('local', 2, 4));
    await storage.flush();
    storage.write([{ measurement: 'm', tags: { source: 'local' }, fields: { v: 1 }, time: new Date(Date.UTC(2026, 2, 31, 12)) }]);
    await storage.close();

    expect(readdirSync(config.local_dir).sort()).toEqual(['2026-03-30.lp', '2026-03-31.lp', '2026-04-01.lp']);
    const lines = readFileSync(path.join(config.local_dir, '2026-03-31.lp'), 'utf8').split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines).toContain('m,source=local v=1 1774958400000000000');
    expect(storage.health()).toMatchObject({ type: 'local', status: 'healthy', points_written: 9, spooled_points: 0 });
    expect(storage.lastWritten('local')).toBeInstanceOf(Date);
    cleanup();
  });

  it('writes files that InfluxDB imports as they are (nanosecond line protocol)', async () => {
    const { dir, cleanup } = tempDir();
    const config = storageConfig(dir);
    const storage = createStorage(config, capturedLogger().logger);
    await storage.start();
    const source = uniqueName('imp');
    storage.write(pointsOver(source, 3, 5));
    await storage.close();

    const db = uniqueName('import');
    await createDatabase(influxUrl, db);
    for (const file of readdirSync(config.local_dir)) {
      const body = readFileSync(path.join(config.local_dir, file), 'utf8');
      const res = await fetch(`${influxUrl}/write?db=${db}&precision=n`, { method: 'POST', body });
      expect(res.status).toBe(204);
    }
    expect(await storedSequence(influxUrl, db, source)).toEqual(range(0, 15));
    cleanup();
  });

  it('drops and counts a point that cannot be written, and writes the others', async () => {
    const { dir, cleanup } = tempDir();
    const config = storageConfig(dir);
    const storage = createStorage(config, capturedLogger().logger);
    await storage.start();
    const [a, b, c] = pointsOver('nan', 1, 3) as [SourcePoint, SourcePoint, SourcePoint];
    storage.write([a, { ...b, fields: { seq: Number.NaN } }, c]);
    await storage.close();
    const text = readdirSync(config.local_dir).map((f) => readFileSync(path.join(config.local_dir, f), 'utf8')).join('');
    expect(text.trim().split('\n').map((l) => /seq=(\d+)/.exec(l)?.[1])).toEqual(['0', '2']);
    expect(storage.health()).toMatchObject({ status: 'healthy', dropped_points: 1, points_written: 2 });
    expect(storage.health().last_error?.message).toContain('NaN');
    cleanup();
  });

  it('spools when the folder cannot be written, and says why', async () => {
    const { dir, cleanup } = tempDir();
    // A file where the store's folder should be: every append fails until someone fixes it.
    const config = storageConfig(dir, { local_dir: path.join(dir, 'blocked', 'points') });
    writeFileSync(path.join(dir, 'blocked'), 'not a folder');
    const storage = createStorage(config, capturedLogger().logger);
    await storage.start();
    storage.write(pointsOver('blocked', 1, 3));
    await storage.flush();
    expect(storage.health()).toMatchObject({ type: 'local', status: 'error', spooled_points: 3 });
    expect(storage.health().last_error?.message).toContain('ENOTDIR');
    await storage.close();
    cleanup();
  });
});
