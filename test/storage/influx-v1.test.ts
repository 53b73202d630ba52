import { afterEach, describe, expect, inject, it } from 'vitest';
import { int, type SourcePoint } from '../../core/plugin-api/point.js';
import { createStorage } from '../../core/storage/index.js';
import type { Storage } from '../../core/storage/storage.js';
import { influxQuery } from '../support/influxd-server.js';
import {
  capturedLogger, createDatabase, eventually, numberedPoints, range, storageConfig, storedSequence, tempDir, uniqueName,
} from '../support/storage-fixture.js';

const url = inject('influxV1Url');
const open: Array<{ storage: Storage; cleanup: () => void }> = [];
afterEach(async () => {
  for (const { storage, cleanup } of open.splice(0)) {
    await storage.close();
    cleanup();
  }
});

async function v1Storage(db: string, overrides: Parameters<typeof storageConfig>[1] = {}, precision: 's' | 'ms' = 's') {
  const { dir, cleanup } = tempDir();
  const { logger, logs } = capturedLogger();
  const storage = createStorage(storageConfig(dir, { influxdb: { url, api: 'v1', database: db, precision }, ...overrides }), logger);
  open.push({ storage, cleanup });
  await storage.start();
  return { storage, logs, dir };
}

/** Every stored point of a source, as `measurement|tags|time|field=value...` strings. */
async function readBack(db: string, source: string): Promise<string[]> {
  const res = await influxQuery(url, `SELECT * FROM /.*/ WHERE "source" = '${source}' GROUP BY *`, db);
  const out: string[] = [];
  for (const series of res.results[0]?.series ?? []) {
    for (const row of series.values) {
      const fields = series.columns.slice(1).map((c, i) => [c, row[i + 1]] as const).filter(([, v]) => v !== null);
      // GROUP BY * lists every tag key of the query with "" where a series lacks it.
      const tags = Object.fromEntries(Object.entries(series.tags ?? {}).filter(([, v]) => v !== ''));
      out.push(signature(series.name, tags, row[0] as number, Object.fromEntries(fields)));
    }
  }
  return out.sort();
}

function signature(measurement: string, tags: Record<string, string>, time: number, fields: Record<string, unknown>): string {
  const sorted = (o: Record<string, unknown>) => JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]));
  return `${measurement}|${sorted(tags)}|${time}|${sorted(fields)}`;
}

function expected(points: SourcePoint[]): string[] {
  return points.map((p) => {
    const fields = Object.fromEntries(Object.entries(p.fields).map(([k, v]) => [k, typeof v === 'object' ? v.int : v]));
    return signature(p.measurement, p.tags, p.time.getTime(), fields);
  }).sort();
}

/** Measurements, tags and fields with every character line protocol escapes. */
function awkwardPoints(source: string, ms: number): SourcePoint[] {
  const t = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i, ms));
  return [
    { measurement: 'weather station', tags: { source, 'site name': 'north, "upper"=field' }, fields: { 'temp c': 21.5, 'wind,kmh': int(12) }, time: t(1) },
    { measurement: 'a,b=c', tags: { source, 'k=ey': 'v=al ue' }, fields: { note: 'He said "hi", x=1 \\ end', ok: true }, time: t(2) },
    { measurement: 'quote"d', tags: { source, q: '"quoted"' }, fields: { 'f"ld': -0.25, flag: false, n: int(-42) }, time: t(3) },
    { measurement: 'calendar_event', tags: { source, calendar: 'Team Cal', event_id: 'e1' }, fields: { summary: 'Plan, review = done', all_day: true, end: '2026-01-01T10:00:00Z' }, time: t(4) },
    // Beyond ASCII: two-, three- and four-byte UTF-8 characters in every part of a line.
    { measurement: 'wetter_münchen', tags: { source, ort: 'Zürich Süd', einheit: '°C' }, fields: { 'température': 3.5, note: 'Glätte ❄ 🌡 "kalt"' }, time: t(5) },
  ];
}

describe('InfluxDB v1 (influxd 1.6.7)', () => {
  it('round-trips points point by point, escaping spaces, commas, equals signs and quotes', async () => {
    const db = uniqueName('rt');
    await createDatabase(url, db);
    const { storage } = await v1Storage(db);
    const source = uniqueName('src');
    const points = awkwardPoints(source, 0);
    storage.write(points);
    await storage.flush();
    expect(await readBack(db, source)).toEqual(expected(points));
    expect(storage.health()).toMatchObject({ type: 'influxdb', status: 'healthy', spooled_points: 0, dropped_points: 0, last_error: null, points_written: 5 });
    expect(storage.lastWritten(source)).toBeInstanceOf(Date);
    expect(storage.lastWritten('never-written')).toBeNull();
  });

  it('keeps milliseconds with precision ms', async () => {
    const db = uniqueName('ms');
    await createDatabase(url, db);
    const { storage } = await v1Storage(db, {}, 'ms');
    const source = uniqueName('src');
    const points = awkwardPoints(source, 123);
    storage.write(points);
    await storage.flush();
    expect(await readBack(db, source)).toEqual(expected(points));
  });

  it('flushes by size without waiting for the interval', async () => {
    const db = uniqueName('size');
    await createDatabase(url, db);
    const { storage } = await v1Storage(db, { batch_size: 10, flush_interval_ms: 3_600_000 });
    storage.write(numberedPoints('s', 0, 25));
    await eventually('two full batches', async () => (await storedSequence(url, db, 's')).length === 20);
    await new Promise((r) => setTimeout(r, 200));
    expect(await storedSequence(url, db, 's')).toEqual(range(0, 20));
    await storage.flush();
    expect(await storedSequence(url, db, 's')).toEqual(range(0, 25));
  });

  it('flushes by interval without an explicit flush', async () => {
    const db = uniqueName('interval');
    await createDatabase(url, db);
    const { storage } = await v1Storage(db, { flush_interval_ms: 100 });
    storage.write(numberedPoints('s', 0, 3));
    await eventually('interval flush', async () => (await storedSequence(url, db, 's')).length === 3, 3000);
  });

  it('writes what is buffered when closed', async () => {
    const db = uniqueName('close');
    await createDatabase(url, db);
    const { storage } = await v1Storage(db, { flush_interval_ms: 3_600_000 });
    storage.write(numberedPoints('s', 0, 7));
    await storage.close();
    expect(await storedSequence(url, db, 's')).toEqual(range(0, 7));
  });

  it('isolates a bad line in a batch: drops and counts only that line', async () => {
    const db = uniqueName('bad');
    await createDatabase(url, db);
    const { storage, logs } = await v1Storage(db, { flush_interval_ms: 3_600_000 });
    storage.write(numberedPoints('s', 0, 1));
    await storage.flush();
    const batch = numberedPoints('s', 1, 40);
    batch[17] = { ...batch[17]!, fields: { seq: 'not a number' } }; // a field type conflict on the server
    storage.write(batch);
    await storage.flush();
    expect(await storedSequence(url, db, 's')).toEqual(range(0, 41).filter((i) => i !== 18));
    const health = storage.health();
    expect(health).toMatchObject({ status: 'healthy', dropped_points: 1, spooled_points: 0, points_written: 40 });
    expect(health.last_error).toMatchObject({ http_status: 400 });
    expect(health.last_error?.message).toContain('field type conflict');
    expect(logs.text()).toContain('dropped lines the store rejected');
  });

  it('shows a missing database as an error with the server message, spools, and writes once it exists', async () => {
    const db = uniqueName('missing');
    const { storage } = await v1Storage(db);
    storage.write(numberedPoints('s', 0, 5));
    await storage.flush();
    const health = storage.health();
    expect(health).toMatchObject({ status: 'error', spooled_points: 5, dropped_points: 0 });
    expect(health.last_error).toMatchObject({ http_status: 404 });
    expect(health.last_error?.message).toContain('database not found');
    await createDatabase(url, db);
    await eventually('replay after the database appears', () => storage.health().spooled_points === 0);
    expect(await storedSequence(url, db, 's')).toEqual(range(0, 5));
    expect(storage.health().status).toBe('healthy');
  });
});
