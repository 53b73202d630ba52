// The one place that knows how `npm start` runs the host: it reads package.json's `start` script
// (`[NAME=value ...] [exec] node [flags] <entry> [args]`) and spawns the same node, flags, entry and
// environment, so the benchmarks follow the script when it changes. The build is the project's
// own (`npm run build`), run once before the first spawn as `npm install` would have.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../../..');

/** How `npm start` runs node. */
export interface NpmStart {
  /** The script as written in package.json. */
  script: string;
  /** The environment it sets before `node` (none on a plain build). */
  env: Record<string, string>;
  /** Node's flags, the entry file (absolute) and the script's own arguments (`start`). */
  args: string[];
}

const scripts = (): Record<string, string> => (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

export function npmStart(): NpmStart {
  const script = scripts().start;
  if (!script) throw new Error("package.json has no start script");
  const words = script.trim().split(/\s+/);
  const env: Record<string, string> = {};
  while (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0] ?? '')) {
    const [name, ...value] = words.shift()!.split('=');
    env[name!] = value.join('=');
  }
  // `exec node ...` (the shell replaced by node, so that a supervisor's signal reaches it) runs the same node.
  if (words[0] === 'exec') words.shift();
  if (words.shift() !== 'node') throw new Error(`package.json's start script does not run node: ${script}`);
  const entry = words.findIndex((w) => !w.startsWith('-'));
  if (entry < 0) throw new Error(`package.json's start script names no file: ${script}`);
  const args = words.map((w, i) => (i === entry ? path.join(root, w) : w));
  return { script, env, args };
}

/** `base` with the environment `npm start` sets. */
export function npmStartEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...base, ...npmStart().env };
}

let built = false;

/** Runs `npm run build` once per benchmark process (the build `npm install` runs), if there is one. */
export function buildOnce(): void {
  if (built || !scripts().build) return;
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  built = true;
}

/** Arguments for process.execPath that run the host as `npm start` does, with `extra` appended (e.g. `--config x`). */
export function hostArgs(...extra: string[]): string[] {
  buildOnce();
  return [...npmStart().args, ...extra];
}

/** Arguments for process.execPath that run the bare Koa baseline (plain JavaScript, plain node). */
export function bareKoaArgs(...args: string[]): string[] {
  return [path.join(root, 'test/bench/support/bare-koa.mjs'), ...args];
}
