import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
// @ts-expect-error autocannon ships no types; the two result fields read here are checked below.
import autocannon from 'autocannon';
import { ensureInstalled } from '../../support/server-packages.js';

/** What one load run measured. */
export interface LoadResult {
  rps: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  bytesPerRequest: number;
}

/** The CPU the server under load runs on, and the one wrk runs on (when the machine has two or more). */
export const SERVER_CPU = 0;
const LOAD_CPU = 1;

/**
 * `command` run on one CPU (taskset, util-linux) when the machine has two or more, so that the
 * server and the load generator do not take turns on the same core; as it is otherwise.
 */
export function pinned(cpu: number, command: string[]): string[] {
  canPin ??= availableParallelism() >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  return canPin ? ['taskset', '-c', String(cpu), ...command] : command;
}
/** Whether taskset is there to pin with: asked once. */
let canPin: boolean | undefined;

/** The load generators: wrk (C, one thread: the verdict) and autocannon (node, in this process). */
export type LoadGenerator = 'wrk' | 'autocannon';

/**
 * Loads `url` (loopback only) for `seconds` with `connections` connections, sending `headers`
 * with every request (e.g. `accept-encoding: gzip`, as Home Assistant's aiohttp and browsers do).
 * `bytesPerRequest` is what came back per answer (headers and body, as sent).
 */
export async function load(
  url: string,
  seconds: number,
  connections = 10,
  headers: Record<string, string> = {},
  generator: LoadGenerator = 'wrk',
): Promise<LoadResult> {
  if (!/^http:\/\/127\.0\.0\.1:/.test(url)) throw new Error(`load: loopback only, not ${url}`);
  return generator === 'wrk' ? wrk(url, seconds, connections, headers) : withAutocannon(url, seconds, connections, headers);
}

async function withAutocannon(url: string, seconds: number, connections: number, headers: Record<string, string>): Promise<LoadResult> {
  const r = (await autocannon({ url, connections, duration: seconds, pipelining: 1, headers })) as {
    requests: { average: number; total: number };
    throughput: { total: number };
    latency: { p99: number };
    non2xx: number;
    errors: number;
  };
  if (typeof r.requests?.average !== 'number' || typeof r.latency?.p99 !== 'number') throw new Error('load: autocannon gave no figures');
  const bytesPerRequest = r.requests.total > 0 ? r.throughput.total / r.requests.total : 0;
  return { rps: r.requests.average, p99Ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors, bytesPerRequest };
}

// wrk's Lua hooks: count non-2xx answers, print the summary as one JSON line at the end.
const WRK_SCRIPT = `
non2xx = 0 -- a global: done() reads it from each thread
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) non2xx = 0 end
function response(status, headers, body) if status < 200 or status > 299 then non2xx = non2xx + 1 end end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + (t:get("non2xx") or 0) end
  local e = summary.errors
  io.write(string.format('WRK {"requests":%d,"duration_us":%d,"bytes":%d,"p99_us":%d,"errors":%d,"non2xx":%d}\\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(99), e.connect + e.read + e.write + e.timeout, bad))
end
`;

/** wrk, one thread, on its own CPU (one for the server, one for the load). */
async function wrk(url: string, seconds: number, connections: number, headers: Record<string, string>): Promise<LoadResult> {
  ensureInstalled([{ binary: 'wrk', debian: 'wrk' }]);
  const dir = mkdtempSync(path.join(tmpdir(), 'homeiq-wrk-'));
  const script = path.join(dir, 'summary.lua');
  writeFileSync(script, WRK_SCRIPT);
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '-s', script];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  args.push(url);
  try {
    const out = await new Promise<string>((resolve, reject) => {
      const [command, ...rest] = pinned(LOAD_CPU, ['wrk', ...args]);
      const child = spawn(command!, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (c: Buffer) => (text += c.toString()));
      child.stderr.on('data', (c: Buffer) => (text += c.toString()));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}:\n${text}`))));
    });
    const json = /^WRK (\{.*\})$/m.exec(out)?.[1];
    if (!json) throw new Error(`load: wrk printed no summary:\n${out}`);
    const s = JSON.parse(json) as { requests: number; duration_us: number; bytes: number; p99_us: number; errors: number; non2xx: number };
    return {
      rps: s.requests / (s.duration_us / 1e6),
      p99Ms: s.p99_us / 1000,
      non2xx: s.non2xx,
      errors: s.errors,
      bytesPerRequest: s.requests > 0 ? s.bytes / s.requests : 0,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
