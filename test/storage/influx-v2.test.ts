import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { InfluxConfig } from '../../core/config/types.js';
import { int, type SourcePoint } from '../../core/plugin-api/point.js';
import { createStorage } from '../../core/storage/index.js';
import type { Storage } from '../../core/storage/storage.js';
import { FakeInfluxV2 } from '../support/fake-influx-v2.js';
import { InfluxV2Writer } from '../../core/storage/influx-v2-writer.js';
import { buildStorage, capturedLogger, eventually, numberedPoints, storageConfig, tempDir, uniqueName } from '../support/storage-fixture.js';
import type { LogCapture } from '../../core/testkit/log-capture.js';
import { victoriaExport } from '../support/victoria-server.js';

const victoriaUrl = inject('victoriaUrl');
const TOKEN = 'tok-Secret-0123456789';
const open: Array<{ storage: Storage; cleanup: () => void }> = [];
afterEach(async () => {
  for (const { storage, cleanup } of open.splice(0)) {
    await storage.close();
    cleanup();
  }
});

/** Through createStorage, as the host builds it; `fast` builds it by hand with quick retries. */
async function v2Storage(influx: Partial<InfluxConfig> & { url: string }, fast = false): Promise<{ storage: Storage; logs: LogCapture }> {
  const { dir, cleanup } = tempDir();
  const { logger, logs } = capturedLogger();
  const config = storageConfig(dir, { influxdb: { api: 'v2', token: TOKEN, org: 'homeiq', bucket: 'homeiq', ...influx } });
  const storage = fast ? buildStorage(new InfluxV2Writer(config.influxdb!, 's'), dir, logger) : createStorage(config, logger);
  open.push({ storage, cleanup });
  await storage.start();
  return { storage, logs };
}

/**
 * What VictoriaMetrics keeps of a point: one metric per number field named
 * `<measurement>_<field>` with the tags as labels, booleans as 1 and 0. It keeps no strings
 * (string fields are dropped, or stored as 0 by some versions), so those are not compared.
 */
function asVictoriaKeeps(points: SourcePoint[]): string[] {
  return points.flatMap((p) =>
    Object.entries(p.fields)
      .flatMap(([field, v]) => (typeof v === 'string' ? [] : [[field, v] as const]))
      .map(([field, v]) => {
        const value = typeof v === 'object' ? v.int : Number(v);
        return metric({ __name__: `${p.measurement}_${field}`, ...p.tags }, value, p.time.getTime());
      }),
  ).sort();
}

function metric(labels: Record<string, string>, value: number, ms: number): string {
  return `${JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]))} ${value} @${ms}`;
}

async function readVictoria(source: string, stringFields: string[]): Promise<string[]> {
  const series = await victoriaExport(victoriaUrl, `{source="${source}"}`);
  return series
    .filter((s) => !stringFields.some((f) => s.metric.__name__.endsWith(`_${f}`)))
    .flatMap((s) => s.values.map((v, i) => metric(s.metric, v, s.timestamps[i]!)))
    .sort();
}

describe('InfluxDB v2 write API (VictoriaMetrics)', () => {
  it('round-trips numeric fields point by point, with escaped names and tags', async () => {
    const { storage } = await v2Storage({ url: victoriaUrl, precision: 'ms' });
    const source = uniqueName('src');
    const t = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i, 250));
    const points: SourcePoint[] = [
      { measurement: 'weather station', tags: { source, 'site name': 'north, "upper"=x' }, fields: { temp_c: 21.5, code: int(3) }, time: t(1) },
      { measurement: 'a,b=c', tags: { source, 'k=ey': 'v=al ue' }, fields: { ok: true, off: false, note: 'He said "hi"' }, time: t(2) },
      { measurement: 'electricity_price', tags: { source, area: 'DE-LU', currency: 'EUR', resolution: 'PT15M' }, fields: { price_per_kwh: -0.0125, level: 'cheap' }, time: t(3) },
      { measurement: 'wetter', tags: { source, ort: 'Zürich Süd ❄', einheit: '°C' }, fields: { temp_c: -3.5 }, time: t(4) },
    ];
    storage.write(points);
    await storage.flush();
    expect(storage.health()).toMatchObject({ status: 'healthy', points_written: 4, last_error: null });
    const kept = asVictoriaKeeps(points);
    expect(kept).toHaveLength(6);
    await eventually('points searchable', async () => (await readVictoria(source, ['note', 'level'])).length === kept.length, 5000);
    expect(await readVictoria(source, ['note', 'level'])).toEqual(kept);
  });

  it('writes whole batches with the default second precision', async () => {
    const { storage } = await v2Storage({ url: victoriaUrl });
    const source = uniqueName('src');
    const points = numberedPoints(source, 0, 1200);
    storage.write(points);
    await storage.flush();
    await eventually('1200 points', async () => (await readVictoria(source, [])).length === 1200, 5000);
    expect(await readVictoria(source, [])).toEqual(asVictoriaKeeps(points));
  });
});

describe('InfluxDB v2 write API: answers of InfluxDB 2', () => {
  let fake: FakeInfluxV2;
  beforeAll(async () => {
    fake = await FakeInfluxV2.start();
  });
  afterAll(async () => fake.stop());

  it('sends org, bucket, precision and the token header', async () => {
    fake.answer = { status: 204 };
    const { storage } = await v2Storage({ url: fake.url, org: 'my org', bucket: 'b1' });
    storage.write(numberedPoints('s', 0, 3));
    await storage.flush();
    const req = fake.received.at(-1)!;
    expect(req.path).toBe('/api/v2/write');
    expect(Object.fromEntries(req.query)).toEqual({ org: 'my org', bucket: 'b1', precision: 's' });
    expect(req.headers.authorization).toBe(`Token ${TOKEN}`);
    expect(req.lines).toEqual(['seq_test,source=s seq=0 1767225600', 'seq_test,source=s seq=1 1767225601', 'seq_test,source=s seq=2 1767225602']);
  });

  it('leaves retries to the storage: one request per failed write, the next only after the retry delay', async () => {
    fake.answer = { status: 503, body: JSON.stringify({ code: 'unavailable', message: 'down' }) };
    const { storage } = await v2Storage({ url: fake.url, bucket: 'retry' }); // the config's storage: first retry after 1 s
    const before = fake.requests;
    storage.write(numberedPoints('s', 0, 2));
    await storage.flush();
    await new Promise((r) => setTimeout(r, 500));
    expect(fake.requests - before).toBe(1);
    expect(storage.health()).toMatchObject({ status: 'degraded', spooled_points: 2 });
    fake.answer = { status: 204 };
    await eventually('the storage retries', () => storage.health().spooled_points === 0, 5000);
  });

  it('shows a refused token as an error with the server message and never the token; replays once accepted', async () => {
    fake.answer = { status: 401, body: JSON.stringify({ code: 'unauthorized', message: `unauthorized access (token ${TOKEN})` }) };
    const { storage, logs } = await v2Storage({ url: fake.url, bucket: 'auth' }, true);
    const before = fake.received.length;
    storage.write(numberedPoints('s', 0, 4));
    await storage.flush();
    const health = storage.health();
    expect(health).toMatchObject({ status: 'error', spooled_points: 4, dropped_points: 0 });
    expect(health.last_error).toMatchObject({ http_status: 401 });
    expect(health.last_error?.message).toContain('unauthorized access');
    expect(JSON.stringify(health)).not.toContain(TOKEN);
    expect(logs.text()).not.toContain(TOKEN);
    fake.answer = { status: 204 };
    await eventually('replay', () => storage.health().spooled_points === 0, 5000);
    expect(fake.received.slice(before).flatMap((r) => r.lines)).toHaveLength(4);
    expect(storage.health().status).toBe('healthy');
  });

  it('is degraded while the store answers 429 or 503, keeping every point', async () => {
    fake.answer = { status: 429, headers: { 'retry-after': '0' }, body: '' };
    const { storage } = await v2Storage({ url: fake.url, bucket: 'busy' }, true);
    const before = fake.received.length;
    storage.write(numberedPoints('s', 0, 2));
    await storage.flush();
    expect(storage.health()).toMatchObject({ status: 'degraded', spooled_points: 2 });
    expect(storage.health().last_error).toMatchObject({ http_status: 429 });
    fake.answer = { status: 503, body: JSON.stringify({ code: 'unavailable', message: 'try later' }) };
    storage.write(numberedPoints('s', 2, 2));
    await storage.flush();
    await eventually('a 503 seen', () => storage.health().last_error?.http_status === 503, 5000);
    expect(storage.health()).toMatchObject({ status: 'degraded', spooled_points: 4 });
    fake.answer = { status: 204 };
    await eventually('replay', () => storage.health().spooled_points === 0, 5000);
    expect(fake.received.slice(before).flatMap((r) => r.lines).map((l) => /seq=(\d+)/.exec(l)![1])).toEqual(['0', '1', '2', '3']);
  });
});
