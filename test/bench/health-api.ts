// Health API: requests per second and p99 latency of `GET /health` of the host with 100 sources
// (the README's example plugin against a fake upstream on loopback), against the bare Koa JSON
// route, with autocannon on loopback. Host and baseline run as child processes (node + tsx), the
// load generator here; rounds alternate. Goals (issue 11): at least 70 % of the bare throughput,
// p99 at most 2x. A second baseline, the bare route answering the host's own /health bytes, says
// how much of the gap is the size of the answer rather than the host's work.
// Run: npx tsx test/bench/health-api.ts
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFakeExampleApi } from '../fakes/example-api.js';
import { freePort } from '../support/free-port.js';
import { dropInExamplePlugin } from '../support/readme-plugin.js';
import { localStorageYaml, tempConfig } from '../support/temp-config.js';
import { line, median, verdict } from './support/figures.js';
import { load, type LoadResult } from './support/load.js';
import { MeasuredProcess, tail } from './support/measured-process.js';

const SOURCES = 100;
const ROUNDS = 2;
const SECONDS = 5;
const KEY = 'example-key-123';
const root = path.resolve(import.meta.dirname, '../..');
const env = { ...process.env };
delete env.PORT;
delete env.HOMEIQ_CONFIG;

async function measure(args: string[], port: number, readyPath: string, log: string): Promise<LoadResult> {
  const proc = MeasuredProcess.spawn(process.execPath, args, log, env);
  try {
    await proc.until200(`http://127.0.0.1:${port}${readyPath}`);
    await load(`http://127.0.0.1:${port}/health`, 1); // warm-up (JIT)
    const result = await load(`http://127.0.0.1:${port}/health`, SECONDS);
    if (result.non2xx + result.errors > 0) throw new Error(`${result.non2xx} non-2xx answers and ${result.errors} errors under load`);
    return result;
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${tail(log)}`, { cause: err });
  } finally {
    await proc.stop();
  }
}

async function main(): Promise<void> {
  const fake = await startFakeExampleApi(KEY);
  const cfg = tempConfig('');
  const logs = mkdtempSync(path.join(tmpdir(), 'homeiq-bench-health-'));
  dropInExamplePlugin(cfg.dir);
  const port = await freePort();
  const sources = Array.from({ length: SOURCES }, (_, i) =>
    `  room-${i}:\n    plugin: ./example-sensor\n    interval: 1h\n    credentials:\n      api_key: ${KEY}\n    options:\n      base_url: ${fake.url}\n      retries: 0\n`).join('');
  cfg.write(`server:\n  host: 127.0.0.1\n  port: ${port}\n${localStorageYaml(cfg.dir)}sources:\n${sources}`);
  const hostArgs = [path.join(root, 'core/cli/bin.mjs'), 'start', '--config', cfg.file];
  const bareArgs = (p: number, body?: string) => ['--import', 'tsx', path.join(root, 'test/bench/support/bare-koa.ts'), String(p), ...(body ? [body] : [])];
  const host: LoadResult[] = [];
  const bare: LoadResult[] = [];
  const sameBytes: LoadResult[] = [];
  let bodyBytes = 0;
  try {
    // The host's /health body, for the same-bytes baseline.
    const first = MeasuredProcess.spawn(process.execPath, hostArgs, path.join(logs, 'host.log'), env);
    await first.until200(`http://127.0.0.1:${port}/ready`);
    const body = await (await fetch(`http://127.0.0.1:${port}/health`)).text();
    await first.stop();
    bodyBytes = Buffer.byteLength(body);
    const bodyFile = path.join(logs, 'health.json');
    writeFileSync(bodyFile, body);
    for (let i = 0; i < ROUNDS; i++) {
      const p1 = await freePort();
      bare.push(await measure(bareArgs(p1), p1, '/health', path.join(logs, 'bare.log')));
      host.push(await measure(hostArgs, port, '/ready', path.join(logs, 'host.log')));
      const p2 = await freePort();
      sameBytes.push(await measure(bareArgs(p2, bodyFile), p2, '/health', path.join(logs, 'bare.log')));
    }
  } finally {
    await fake.close();
    rmSync(cfg.dir, { recursive: true, force: true });
    rmSync(logs, { recursive: true, force: true });
  }
  const m = (rs: LoadResult[], k: keyof LoadResult) => median(rs.map((r) => r[k]));
  console.log(`health-api: GET /health with ${SOURCES} sources (${bodyBytes} bytes), autocannon 10 connections, ${SECONDS} s x ${ROUNDS} rounds, medians`);
  console.log(line('requests/s vs bare JSON route', m(host, 'rps'), m(bare, 'rps'), 'req/s'));
  console.log(line('p99 latency vs bare JSON route', m(host, 'p99Ms'), m(bare, 'p99Ms'), 'ms'));
  console.log(line('requests/s vs bare, same bytes', m(host, 'rps'), m(sameBytes, 'rps'), 'req/s'));
  console.log(line('p99 latency vs bare, same bytes', m(host, 'p99Ms'), m(sameBytes, 'p99Ms'), 'ms'));
  const share = m(host, 'rps') / m(bare, 'rps');
  const p99 = m(host, 'p99Ms') / Math.max(1, m(bare, 'p99Ms'));
  verdict([
    { goal: `throughput ${(share * 100).toFixed(0)} % of the bare JSON route >= 70 %`, ok: share >= 0.7 },
    { goal: `p99 ${p99.toFixed(2)}x the bare JSON route's <= 2x`, ok: p99 <= 2 },
  ]);
}

await main();
