import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BUNDLE, isStale } from '../../core/cli/build.mjs';

export const BIN = fileURLToPath(new URL('../../core/cli/bin.mjs', import.meta.url));
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let checked = false;

/**
 * The tests run what ships: the built program under plain node, as `npm start` does
 * (`node dist/homeiq.mjs ARGS`). test/run.mjs builds it before the suite; a stale build fails here.
 */
export function builtProgram(): string {
  if (!checked && isStale()) throw new Error(`${BUNDLE} is missing or older than the sources: run \`npm run build\` (npm test builds it)`);
  checked = true;
  return BUNDLE;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `homeiq ARGS` as a user would, in its own process. */
export async function runCli(args: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<CliResult> {
  const program = builtProgram();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [program, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `homeiq start` in the background. */
export function spawnCli(args: string[], env: Record<string, string> = {}, cwd = ROOT): ChildProcess & { output(): string } {
  const child = spawn(process.execPath, [builtProgram(), ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env } });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return Object.assign(child, { output: () => output });
}

export { freePort } from './free-port.js';
