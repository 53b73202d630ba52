import { describe, expect, it } from 'vitest';
import type { InfluxConfig } from '../../core/config/types.js';
import { InfluxV1Writer } from '../../core/storage/influx-v1-writer.js';
import { Spool } from '../../core/storage/spool.js';
import {
  buildStorage, capturedLogger, createDatabase, eventually, numberedPoints, range, storedSequence, tempDir, uniqueName, usePrivateInfluxd,
} from '../support/storage-fixture.js';

const influx = usePrivateInfluxd();

function v1(db: string): InfluxConfig {
  return { url: influx.server.url, api: 'v1', database: db };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('an outage of the store', () => {
  it('loses nothing: points written while the server is down arrive once it is back', async () => {
    const db = uniqueName('outage');
    await createDatabase(influx.server.url, db);
    const { dir, cleanup } = tempDir();
    const { logger, logs } = capturedLogger();
    const storage = buildStorage(new InfluxV1Writer(v1(db), 's'), dir, logger, { flushIntervalMs: 50 });
    influx.track(storage, cleanup);
    await storage.start();

    let next = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        storage.write(numberedPoints('outage', next, 10));
        next += 10;
        await sleep(20);
      }
    })();
    await sleep(300);
    await influx.server.stop();
    await eventually('spooling', () => storage.health().spooled_points > 0);
    await sleep(500);
    expect(storage.health()).toMatchObject({ type: 'influxdb', status: 'degraded', dropped_points: 0 });
    expect(storage.health().last_error?.message).toContain('ECONNREFUSED');
    await influx.server.start();
    await sleep(300);
    writing = false;
    await writer;
    await storage.flush();
    await eventually('spool replayed', () => storage.health().spooled_points === 0);

    expect(await storedSequence(influx.server.url, db, 'outage')).toEqual(range(0, next));
    expect(storage.health()).toMatchObject({ status: 'healthy', dropped_points: 0 });
    expect(logs.text()).toContain('writes succeed again');
  });

  it('with the spool full, drops the oldest points, counts them and says so in health', async () => {
    const db = uniqueName('bound');
    await createDatabase(influx.server.url, db);
    await influx.server.stop();
    const { dir, cleanup } = tempDir();
    const { logger } = capturedLogger();
    const spool = new Spool({ dir: `${dir}/spool`, maxBytes: 8192 });
    const storage = buildStorage(new InfluxV1Writer(v1(db), 's'), dir, logger, { spool, batchSize: 20, flushIntervalMs: 3_600_000 });
    influx.track(storage, cleanup);
    await storage.start();
    for (let i = 0; i < 50; i++) {
      storage.write(numberedPoints('bound', i * 20, 20));
      await storage.flush();
    }
    const full = storage.health();
    expect(full.status).toBe('degraded');
    expect(full.dropped_points).toBeGreaterThan(0);
    expect(full.spooled_points + full.dropped_points).toBe(1000);
    expect(full.last_error?.message).toContain(`spool full: dropped the`);

    await influx.server.start();
    await eventually('spool replayed', () => storage.health().spooled_points === 0);
    const stored = await storedSequence(influx.server.url, db, 'bound');
    expect(stored.length).toBe(1000 - full.dropped_points);
    expect(stored).toEqual(range(1000 - stored.length, 1000)); // the newest survived, the oldest went
    // Each point reached the store once: replay sent no batch twice.
    expect(storage.health()).toMatchObject({ status: 'healthy', dropped_points: full.dropped_points, points_written: stored.length });
  });
});
