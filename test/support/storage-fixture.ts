import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { StorageConfig } from '../../core/config/types.js';
import { LogCapture } from '../../core/testkit/log-capture.js';
import type { SourcePoint } from '../../core/plugin-api/point.js';
import { BatchingStorage, type BatchingStorageOptions } from '../../core/storage/batching-storage.js';
import type { LineWriter } from '../../core/storage/line-writer.js';
import { Spool } from '../../core/storage/spool.js';
import type { Storage } from '../../core/storage/storage.js';
import { InfluxdServer, influxQuery } from './influxd-server.js';

/** A temporary folder removed by the returned cleanup. */
export function tempDir(prefix = 'homeiq-storage-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A JSON logger whose output the test can read. */
export function capturedLogger(): { logger: Logger; logs: LogCapture } {
  const logs = new LogCapture();
  return { logger: pino({ level: 'debug' }, logs), logs };
}

/** The storage section of a config, with small test-friendly defaults. */
export function storageConfig(dir: string, overrides: Partial<StorageConfig> = {}): StorageConfig {
  return {
    spool_dir: path.join(dir, 'spool'),
    local_dir: path.join(dir, 'points'),
    local_retention_ms: 90 * 86_400_000,
    spool_max_bytes: 1024 ** 3,
    batch_size: 5000,
    flush_interval_ms: 100,
    ...overrides,
  };
}

/** `count` points of one source whose field `seq` numbers them from `first`, one second apart. */
export function numberedPoints(source: string, first: number, count: number, measurement = 'seq_test'): SourcePoint[] {
  const base = Date.UTC(2026, 0, 1);
  return Array.from({ length: count }, (_, i) => ({
    measurement,
    tags: { source },
    fields: { seq: first + i },
    time: new Date(base + (first + i) * 1000),
  }));
}

/** A unique name for a database or source, so tests sharing a server never see each other's data. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

export { eventually } from './eventually.js';

export async function createDatabase(url: string, name: string): Promise<void> {
  await influxQuery(url, `CREATE DATABASE "${name}"`);
}

/** The `seq` values stored for a source, sorted. */
export async function storedSequence(url: string, db: string, source: string, measurement = 'seq_test'): Promise<number[]> {
  const result = await influxQuery(url, `SELECT "seq" FROM "${measurement}" WHERE "source" = '${source}'`, db);
  const values = result.results[0]?.series?.[0]?.values ?? [];
  return values.map((row) => row[1] as number).sort((a, b) => a - b);
}

/** 0..n-1. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/**
 * A BatchingStorage built by hand around a writer, with retries fast enough for a test (the
 * config's storage retries after 1 s, doubling up to 30 s).
 */
export function buildStorage(writer: LineWriter, dir: string, logger: Logger, overrides: Partial<BatchingStorageOptions> = {}): BatchingStorage {
  return new BatchingStorage({
    type: 'influxdb',
    writer,
    spool: new Spool({ dir: path.join(dir, 'spool'), maxBytes: 1024 ** 3 }),
    precision: 's',
    batchSize: 5000,
    flushIntervalMs: 100,
    logger,
    retryMinMs: 50,
    retryMaxMs: 200,
    ...overrides,
  });
}

/**
 * A private influxd for a test file whose tests stop and start it, which the shared one must never
 * see. Started before the file's tests and destroyed after them; after each test it runs again and
 * the storages the test opened (`track`) are closed and their folders removed.
 */
export function usePrivateInfluxd(): { readonly server: InfluxdServer; track(storage: Storage, cleanup: () => void): void } {
  let server: InfluxdServer | undefined;
  const open: Array<{ storage: Storage; cleanup: () => void }> = [];
  beforeAll(async () => {
    server = await InfluxdServer.start();
  });
  afterAll(async () => server?.destroy());
  afterEach(async () => {
    if (server && !server.running) await server.start();
    for (const { storage, cleanup } of open.splice(0)) {
      await storage.close();
      cleanup();
    }
  });
  return {
    get server(): InfluxdServer {
      if (!server) throw new Error('the private influxd is started in beforeAll: use it inside a test');
      return server;
    },
    track: (storage, cleanup) => open.push({ storage, cleanup }),
  };
}
