import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageConfig } from '../../core/config/types.js';
import { createStorage } from '../../core/storage/index.js';
import { InfluxdServer } from '../support/influxd-server.js';
import {
  capturedLogger, createDatabase, eventually, range, storageConfig, storedSequence, tempDir, uniqueName,
} from '../support/storage-fixture.js';

const CHILD = fileURLToPath(new URL('../support/spool-writer-child.ts', import.meta.url));
let server: InfluxdServer;
beforeAll(async () => {
  server = await InfluxdServer.start();
});
afterAll(async () => server.destroy());

/** Runs the writer child until it acknowledged at least `atLeast` points, then kills it with SIGKILL. */
async function runAndKill(config: StorageConfig, atLeast: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  let acked = 0;
  for await (const line of createInterface({ input: child.stdout })) {
    const m = /^acked (\d+)$/.exec(line);
    if (m) acked = Number(m[1]);
    if (acked >= atLeast && child.exitCode === null) child.kill('SIGKILL');
  }
  expect(await exited).toBe('SIGKILL');
  return acked;
}

describe('kill -9 of the host during an outage', () => {
  it('loses no acknowledged point: a restart with the store back replays the spool', async () => {
    const db = uniqueName('crash');
    await createDatabase(server.url, db);
    await server.stop();
    const { dir, cleanup } = tempDir();
    const config = storageConfig(dir, { influxdb: { url: server.url, api: 'v1', database: db }, batch_size: 50 });

    const acked = await runAndKill(config, 400);
    expect(acked).toBeGreaterThanOrEqual(400);

    await server.start();
    const storage = createStorage(config, capturedLogger().logger);
    await storage.start();
    expect(storage.health().spooled_points).toBeGreaterThanOrEqual(acked);
    await eventually('spool replayed', () => storage.health().spooled_points === 0);
    const stored = await storedSequence(server.url, db, 'crash');
    expect(stored.slice(0, acked)).toEqual(range(0, acked));
    // Points written after the last acknowledgement may have reached the spool too; nothing else.
    expect(stored).toEqual(range(0, stored.length));
    expect(storage.health()).toMatchObject({ status: 'healthy', dropped_points: 0 });
    await storage.close();
    cleanup();
  });
});
