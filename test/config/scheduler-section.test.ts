import { hostname } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { freePort, runCli, spawnCli } from '../support/run-cli.js';
import { configFile, load, refuse } from './config-files.js';

const SOURCES = 'sources:\n  weather:\n    plugin: open-meteo\n';
/** A source that never calls out: paused, with its options (no test reaches the real Open-Meteo). */
const PAUSED = 'sources:\n  weather:\n    plugin: open-meteo\n    enabled: false\n    options:\n      latitude: 52.5\n      longitude: 13.4\n';

describe('the scheduler section (issue 22)', () => {
  it('is local when absent or empty, as before', async () => {
    expect((await load(SOURCES)).config.scheduler).toEqual({ type: 'local' });
    expect((await load(`scheduler:\n${SOURCES}`)).config.scheduler).toEqual({ type: 'local' });
    expect((await load(`scheduler:\n  type: local\n${SOURCES}`)).config.scheduler).toEqual({ type: 'local' });
  });

  it('type redis takes a url and fills in the prefix and the host id (the hostname)', async () => {
    const { config } = await load(`scheduler:\n  type: redis\n  url: redis://redis:6379\n${SOURCES}`);
    expect(config.scheduler).toEqual({ type: 'redis', url: 'redis://redis:6379', prefix: 'homeiq', host_id: hostname() });
  });

  it('takes rediss://, a database number, a login from the environment, its own prefix and host id', async () => {
    const text = 'scheduler:\n  type: redis\n  url: rediss://cache.example:6380/2\n  username: ${U}\n  password: ${P}\n  prefix: homes-eu\n  host_id: host-1\n';
    const { config } = await load(text + SOURCES, { U: 'homeiq', P: 'r3dis-pass' });
    expect(config.scheduler).toEqual({ type: 'redis', url: 'rediss://cache.example:6380/2', username: 'homeiq', password: 'r3dis-pass', prefix: 'homes-eu', host_id: 'host-1' });
  });

  it('needs a url with type redis', async () => {
    const { file, lines } = await refuse(`scheduler:\n  type: redis\n${SOURCES}`);
    expect(lines).toEqual([`${file}:1: scheduler.url: is required for type redis`]);
  });

  it('refuses another type or scheme, bad names and unknown keys, without echoing the password', async () => {
    const text = 'scheduler:\n  type: cluster\n  url: http://redis:6379\n  password: hunter2-pass\n  prefix: "a:b"\n  host_id: "my host"\n  lock: 30s\n';
    const { file, lines } = await refuse(text + SOURCES);
    expect(lines).toEqual(expect.arrayContaining([
      expect.stringMatching(new RegExp(`^${file}:2: scheduler\\.type: .*local.*redis`)),
      `${file}:3: scheduler.url: is not a Redis URL like redis://host:6379 or rediss://host:6380`,
      `${file}:5: scheduler.prefix: is not a name of letters, digits, ., _ and -`,
      `${file}:6: scheduler.host_id: is not a name of letters, digits, ., _ and -`,
      `${file}:7: scheduler.lock: unknown key`,
    ]));
    expect(lines.join('\n')).not.toContain('hunter2-pass');
  });

  it('refuses redis keys under type local, which would silently do nothing', async () => {
    const { file, lines } = await refuse(`scheduler:\n  url: redis://redis:6379\n  host_id: a\n${SOURCES}`);
    expect(lines).toEqual([`${file}:2: scheduler.url: is used only with type redis`, `${file}:3: scheduler.host_id: is used only with type redis`]);
  });

  it('homeiq start with Redis unreachable still answers /health: the scheduler block in error, saying why, no secret', async () => {
    const port = await freePort();
    const file = configFile(`server:\n  host: 127.0.0.1\n  port: ${port}\nscheduler:\n  type: redis\n  url: redis://:s3cret-redis@127.0.0.1:1\n  password: other-s3cret\n  host_id: h1\nstorage:\n  local_dir: points\n${PAUSED}`);
    const child = spawnCli(['start', '--config', file], {}, path.dirname(file));
    try {
      type Health = { status: string; scheduler: { status: string; connected: boolean; host_id: string; redis: string; last_error: { message: string } | null } };
      let health: Health | undefined;
      await eventually('the scheduler block says Redis is unreachable', async () => {
        health = (await (await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.json()) as Health | undefined;
        return Boolean(health?.scheduler?.last_error);
      });
      if (!health) throw new Error('no /health');
      expect(health.status).toBe('error');
      expect(health.scheduler).toMatchObject({ status: 'error', connected: false, host_id: 'h1', redis: 'redis://127.0.0.1:1' });
      expect(health.scheduler.last_error!.message).toMatch(/^Redis at redis:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/);
      expect(JSON.stringify(health) + child.output()).not.toMatch(/s3cret/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    expect(child.output()).toContain('Redis is unreachable');
    expect(child.output()).not.toMatch(/s3cret/);
  });

  it('homeiq check with type redis runs each source once here, as with type local', async () => {
    const file = configFile(`scheduler:\n  type: redis\n  url: redis://127.0.0.1:1\n${PAUSED}`);
    const r = await runCli(['check', '--config', file], {}, path.dirname(file));
    expect(r.stderr).not.toContain('not available yet');
    expect(r.code).toBe(0);
  });
});
