import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { freePort, spawnCli } from '../support/run-cli.js';

const PLUGIN = `export default {
  id: 'tick-stamp', apiVersion: 1, title: 'Tick stamp',
  create() { return { async fetch(ctx) { return [{ measurement: 'tick', fields: { value: 1 }, time: ctx.tick }]; } }; },
};
`;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('a host sharing the sources through Redis, stopped by its supervisor', () => {
  it('ends its process at once after SIGTERM and tells the other hosts it stopped', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'homeiq-shared-stop-'));
    dirs.push(dir);
    const prefix = `stop-${path.basename(dir).replace(/[^A-Za-z0-9]/g, '')}`;
    writeFileSync(path.join(dir, 'tick-stamp.mjs'), PLUGIN);
    const sources = Array.from({ length: 5 }, (_, i) => `  s${i}:\n    plugin: ./tick-stamp.mjs\n    interval: 10s\n`).join('');
    writeFileSync(
      path.join(dir, 'sources.yaml'),
      `server:\n  host: 127.0.0.1\nstorage:\n  spool_dir: ${dir}/spool\n  local_dir: ${dir}/points\nscheduler:\n  type: redis\n  url: ${inject('redisUrl')}\n  host_id: host-a\n  prefix: ${prefix}\nsources:\n${sources}`,
    );
    const port = await freePort();
    const child = spawnCli(['start', '--config', path.join(dir, 'sources.yaml')], { PORT: String(port) });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let ready = false;
    for (let i = 0; i < 200 && !ready; i++) {
      await new Promise((r) => setTimeout(r, 50));
      ready = (await fetch(`http://127.0.0.1:${port}/ready`).catch(() => undefined))?.status === 200;
    }
    expect(ready, child.output()).toBe(true);

    const signalled = Date.now();
    child.kill('SIGTERM');
    const code = await exited;
    // Its time limits (the 5 s grace for runs in flight) must not keep the process alive once all is closed.
    expect(Date.now() - signalled, child.output()).toBeLessThan(2_500);
    expect(code).toBe(0);
    const redis = new Redis(inject('redisUrl'));
    try {
      const beat = JSON.parse((await redis.hget(`${prefix}:hosts`, 'host-a')) ?? '{}') as { stopped?: boolean };
      expect(beat.stopped).toBe(true);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
  });
});
