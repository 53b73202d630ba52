// `npm start` under a supervisor (docker stop, pm2, supervisord): SIGTERM goes to npm's pid only,
// not to its process group. npm forwards it to its child; the start script execs node, so that
// child is the host itself (dash's `sh -c` would otherwise wait on node, die, and leave it running).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { ROOT, builtProgram, freePort } from '../support/run-cli.js';
import { localStorageYaml, tempConfig } from '../support/temp-config.js';

/** The pids below `pid` (its children, theirs, and so on). */
function descendants(pid: number): number[] {
  const r = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  const children = r.stdout.split('\n').filter(Boolean).map(Number);
  return children.flatMap((child) => [child, ...descendants(child)]);
}

function alive(pid: number): boolean {
  try {
    return !readFileSync(`/proc/${pid}/status`, 'utf8').includes('State:\tZ');
  } catch {
    return false;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

describe('npm start', () => {
  it('stops, host and all, when npm alone gets SIGTERM', async () => {
    builtProgram();
    const port = await freePort();
    const cfg = tempConfig('');
    cfg.write(`server:\n  host: 127.0.0.1\n  port: ${port}\n${localStorageYaml(cfg.dir)}sources: {}\n`);
    const npm = spawn('npm', ['start', '--', '--config', cfg.file], { cwd: ROOT, env: { ...process.env, LOG_FORMAT: 'json' }, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
    let host: number[] = [];
    try {
      await eventually('/ready answers 200', async () => (await fetch(`http://127.0.0.1:${port}/ready`).catch(() => null))?.status === 200, 30_000);
      host = descendants(npm.pid!);
      expect(host.map((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' '))).toContain(`node dist/homeiq.mjs start --config ${cfg.file}`);
      process.kill(npm.pid!, 'SIGTERM');
      await exited;
      await eventually('every process npm started has exited', () => host.every((pid) => !alive(pid)), 10_000);
      expect(await portFree(port)).toBe(true);
    } finally {
      for (const pid of [...host, npm.pid!]) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  }, 60_000);
});
