import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage } from '../../core/storage/index.js';
import { InfluxdServer } from '../support/influxd-server.js';
import { capturedLogger, numberedPoints, range, storageConfig, tempDir } from '../support/storage-fixture.js';

const ADMIN = { username: 'admin', password: 'Adm1n-Pa55-word' };
const WRONG = 'Wr0ng-Pa55-word';
let server: InfluxdServer;
beforeAll(async () => {
  server = await InfluxdServer.start({ auth: true, adminPassword: ADMIN.password });
  await server.query('CREATE DATABASE homeiq', undefined, ADMIN);
});
afterAll(async () => server.destroy());

describe('InfluxDB v1 with authentication', () => {
  it('writes with the username and password (basic auth)', async () => {
    const { dir, cleanup } = tempDir();
    const storage = createStorage(storageConfig(dir, { influxdb: { url: server.url, api: 'v1', database: 'homeiq', ...ADMIN } }), capturedLogger().logger);
    await storage.start();
    storage.write(numberedPoints('auth', 0, 3));
    await storage.flush();
    expect(storage.health()).toMatchObject({ status: 'healthy', points_written: 3 });
    const res = await server.query(`SELECT "seq" FROM "seq_test"`, 'homeiq', ADMIN);
    expect(res.results[0]?.series?.[0]?.values.map((r) => r[1])).toEqual(range(0, 3));
    await storage.close();
    cleanup();
  });

  it('shows a wrong password as an error with the server message, never the password, and keeps the points', async () => {
    const { dir, cleanup } = tempDir();
    const { logger, logs } = capturedLogger();
    const storage = createStorage(storageConfig(dir, { influxdb: { url: server.url, api: 'v1', database: 'homeiq', username: 'admin', password: WRONG } }), logger);
    await storage.start();
    storage.write(numberedPoints('auth', 10, 2));
    await storage.flush();
    const health = storage.health();
    expect(health).toMatchObject({ status: 'error', spooled_points: 2, dropped_points: 0 });
    expect(health.last_error).toMatchObject({ http_status: 401 });
    expect(health.last_error?.message).toContain('authorization failed');
    expect(JSON.stringify(health)).not.toContain(WRONG);
    expect(logs.text()).not.toContain(WRONG);
    await storage.close();
    cleanup();
  });
});
