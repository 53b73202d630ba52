import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from '../../core/cli/build.mjs';

export const BIN = fileURLToPath(new URL('../../core/cli/bin.mjs', import.meta.url));
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

// bin.mjs rebuilds its bundle when a source changed, saying so on stderr; the tests build it first
// (quietly; parallel builds are safe) so that what they read is the command's own output.

/** Runs `homeiq ARGS` as a user would, in its own process. */
export async function runCli(args: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<CliResult> {
  await ensureBuilt({ quiet: true });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `homeiq start` in the background. */
export function spawnCli(args: string[], env: Record<string, string> = {}, cwd = ROOT): ChildProcess & { output(): string } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env } });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return Object.assign(child, { output: () => output });
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}
