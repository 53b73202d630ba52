import { spawn } from 'node:child_process';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { StorageConfig } from '../../core/config/types.js';
import { createStorage, type StorageHealth } from '../../core/storage/index.js';
import { capturedLogger, numberedPoints, storageConfig, tempDir } from '../support/storage-fixture.js';

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

  it('cuts off a torn line a crash left at the end of a day file, and says so', async () => {
    const { dir, cleanup } = tempDir();
    const config = storageConfig(dir, { flush_interval_ms: 3_600_000, local_retention_ms: KEEP_MS });
    mkdirSync(config.local_dir, { recursive: true });
    const file = path.join(config.local_dir, '2026-01-01.lp');
    const whole = numberedLines(0, 2);
    // The last line lost its end: its timestamp still parses, as a time in 1970.
    writeFileSync(file, `${whole}seq_test,source=full seq=2 17672256`);
    const { logger, logs } = capturedLogger();
    const storage = createStorage(config, logger);
    await storage.start();
    storage.write(numberedPoints('full', 3, 1));
    await storage.close();
    expect(wholePoints(readFileSync(file, 'utf8'))).toEqual([0, 1, 3]);
    expect(logs.text()).toContain('torn');
    expect(logs.text()).toContain('2026-01-01.lp');
    cleanup();
  });
});

function numberedLines(first: number, count: number): string {
  return numberedPoints('full', first, count).map((p) => `seq_test,source=full seq=${String(p.fields.seq)} ${p.time.getTime()}000000\n`).join('');
}
