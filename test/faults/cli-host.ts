import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { dropInExamplePlugin, exampleSourceYaml } from '../support/readme-plugin.js';
import { builtProgram, freePort, spawnCli } from '../support/run-cli.js';
import { localStorageYaml, tempConfig } from '../support/temp-config.js';

/** One JSON log line of the host. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LogLine = Record<string, any>;

/** `homeiq start` in its own process, as a user runs it, with the README's example plugin dropped in. */
export interface CliHost {
  url: string;
  dir: string;
  file: string;
  /** GET a path; resolves with the status, the parsed body and how long it took. */
  get(pathname: string): Promise<{ status: number; body: LogLine; ms: number }>;
  /** The JSON log lines written so far. */
  logs(): LogLine[];
  output(): string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  /** SIGTERM; resolves with the exit code and how long the process took to end. */
  stop(): Promise<{ code: number | null; ms: number }>;
}

/** Checks once before a file's tests (`beforeAll`) that the built program is there and current. */
export const buildCli = async (): Promise<void> => void builtProgram();

/**
 * Writes `files` (name → text) beside the config, then starts the host on a free port. `env` is
 * added to its environment; `storage` gives the config's storage block (default: the local store
 * inside the config's folder).
 */
export async function startCliHost(
  sources: string,
  files: Record<string, string> = {},
  { env = {}, storage = localStorageYaml }: { env?: Record<string, string>; storage?: (dir: string) => string } = {},
): Promise<CliHost> {
  const port = await freePort();
  const cfg = tempConfig('');
  dropInExamplePlugin(cfg.dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(cfg.dir, name), text);
  cfg.write(`server:
  host: 127.0.0.1
  port: ${port}
${storage(cfg.dir)}sources:
${sources}`);
  const child = spawnCli(['start', '--config', cfg.file], env);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let ended = false;
  void exited.then(() => (ended = true));
  const url = `http://127.0.0.1:${port}`;
  const get = async (pathname: string) => {
    const t0 = performance.now();
    const res = await fetch(`${url}${pathname}`, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as LogLine;
    return { status: res.status, body, ms: performance.now() - t0 };
  };
  const logs = () =>
    child
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine);
  const deadline = Date.now() + 40_000;
  for (;;) {
    if (ended) throw new Error(`homeiq start exited early:\n${child.output()}`);
    if (Date.now() > deadline) throw new Error(`homeiq start did not answer /health in 40 s:\n${child.output()}`);
    if ((await fetch(`${url}/health`).catch(() => undefined))?.status !== undefined) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const stop = async () => {
    const t0 = Date.now();
    if (!ended) child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await exited;
    clearTimeout(killer);
    return { code, ms: Date.now() - t0 };
  };
  return { url, dir: cfg.dir, file: cfg.file, get, logs, output: child.output, exited, stop };
}

/** A drop-in plugin module with `body` as the members of the object `create()` returns. */
export function pluginModule(id: string, body: string, prelude = ''): string {
  return `${prelude}\nexport default { id: "${id}", apiVersion: 1, title: "${id}", create() { return { ${body} }; } };\n`;
}

/** The README example source reading `baseUrl`. */
export function exampleSource(id: string, key: string, baseUrl: string, interval = '1s', options = ''): string {
  return exampleSourceYaml(id, key, baseUrl, options, { interval, sensor: true });
}

/**
 * Checks that runs at `times` kept a schedule of one every `intervalMs` since `fromMs` (default:
 * the first run): as many
 * runs as the time allows (a run takes a moment, and the next is due an interval after it ends),
 * and no stall. Slack for two shared cores; a source held up by another's fault loses runs or
 * stalls for seconds.
 */
export function expectOnSchedule(times: readonly number[], intervalMs: number, fromMs = Math.min(...times), toMs = Date.now()): void {
  const sorted = [...times].sort((a, b) => a - b);
  const said = `runs at (ms after start): ${sorted.map((t) => t - fromMs).join(' ')}`;
  expect(sorted.length, said).toBeGreaterThanOrEqual(Math.floor((toMs - fromMs) / (intervalMs * 1.4)));
  expect(Math.max(0, ...gaps(sorted)), said).toBeLessThan(intervalMs * 2.5);
}

/** Gaps (ms) between consecutive times. */
export function gaps(times: readonly number[]): number[] {
  return times.slice(1).map((t, i) => t - times[i]!);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Checks that `/health` answered promptly all along: the median well under a poll interval and no
 * answer held back for long (a fault blocking it would hold it for seconds, or for good). Loose:
 * the suite shares two cores with other test files.
 */
export function expectPrompt(latenciesMs: readonly number[]): void {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1] ?? Infinity;
  const said = `/health latencies (ms): ${sorted.map((ms) => Math.round(ms)).join(' ')}`;
  expect(median, said).toBeLessThan(400);
  expect(sorted[sorted.length - 1], said).toBeLessThan(2500);
}
