// How the benchmarks spawn the host and its bare-Koa baseline: the host exactly as `npm start`
// runs it (node, the flags of package.json's start script, core/cli/bin.mjs and its bundle), the
// baseline bundled by the same esbuild options and run by the same node with the same flags.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { BUNDLE, build as buildHost, bundleOptions, isStale } from '../../../core/cli/build.mjs';

const root = path.resolve(import.meta.dirname, '../../..');

/** How `npm start` runs node: `[NAME=value ...] node [flags] core/cli/bin.mjs start`. */
interface NpmStart {
  /** The environment it sets (e.g. `MALLOC_ARENA_MAX=1`). */
  env: Record<string, string>;
  /** The node flags (e.g. `--max-semi-space-size=1`). */
  flags: string[];
}

export function npmStart(): NpmStart {
  const start = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const words = start.split(/\s+/).filter((w) => w !== 'exec');
  const env: Record<string, string> = {};
  while (/^[A-Z_][A-Z0-9_]*=/.test(words[0] ?? '')) {
    const [name, ...value] = words.shift()!.split('=');
    env[name!] = value.join('=');
  }
  const bin = words.indexOf('dist/homeiq.mjs');
  if (words[0] !== 'node' || bin < 0) throw new Error(`package.json start script is not "[exec] node [flags] dist/homeiq.mjs ...": ${start}`);
  return { env, flags: words.slice(1, bin) };
}

/** The node flags of `npm start`. */
export function npmStartNodeFlags(): string[] {
  return npmStart().flags;
}

/** `base` with the environment `npm start` sets (both the host and its baseline are spawned with it). */
export function npmStartEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...base, ...npmStart().env };
}

/** Arguments for process.execPath that run `homeiq ...args` as npm start does; builds the bundle first. */
export async function hostArgs(...args: string[]): Promise<string[]> {
  if (isStale()) await buildHost();
  return [...npmStartNodeFlags(), BUNDLE, ...args];
}

/** Arguments for process.execPath that run the bare Koa baseline (test/bench/support/bare-koa.ts), bundled like the host. */
export async function bareKoaArgs(...args: string[]): Promise<string[]> {
  const outfile = path.join(root, 'dist/bench/bare-koa.mjs');
  await build({ ...bundleOptions(path.join(root, 'test/bench/support/bare-koa.ts'), outfile), logLevel: 'warning' });
  return [...npmStartNodeFlags(), outfile, ...args];
}
