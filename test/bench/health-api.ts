// Health API: requests per second and p99 latency of `GET /health` of the host with 100 sources
// (the README's example plugin against a fake upstream on loopback), against the bare Koa JSON
// route, with a load generator on loopback. Host (as `npm start` runs it) and baseline (plain node)
// run as child processes; rounds alternate. Goals (issue 17): through the router, at least 50 % of
// the bare route's throughput, p99 at most 3x.
// The verdict's load generator is wrk (C, one thread, 10 connections), the server and wrk each on
// its own CPU (taskset). On a 2-core machine the load generator shares the CPU with the server, and autocannon (node) spends per answer byte
// enough of it that the size of the answer decides its figures (printed too, for comparison).
// Every process is loaded with `accept-encoding: gzip` (what Home Assistant's REST sensor,
// aiohttp, and browsers send; the verdict) and without (the host then sends its 51 KB
// uncompressed; printed too). The bare route ignores the header and answers its 40 bytes either
// way. Two more baselines, the bare route answering the host's own /health bytes (plain, and
// gzip'd with the same headers), say how much of a gap is the size of the answer.
// Run: npx tsx test/bench/health-api.ts
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFakeExampleApi } from '../fakes/example-api.js';
import { freePort } from '../support/free-port.js';
import { dropInExamplePlugin, exampleSourceYaml } from '../support/readme-plugin.js';
import { localStorageYaml, tempConfig } from '../support/temp-config.js';
import { line, median, verdict } from './support/figures.js';
import { load, pinned, SERVER_CPU, type LoadResult } from './support/load.js';
import { MeasuredProcess, tail } from './support/measured-process.js';
import { bareKoaArgs, hostArgs as hostCommand, npmStartEnv } from './support/spawn-like-npm-start.js';

const SOURCES = 100;
const ROUNDS = 2;
const SECONDS = 5;
const KEY = 'example-key-123';
const env = npmStartEnv({ ...process.env });
delete env.PORT;
delete env.HOMEIQ_CONFIG;

const GZIP = { 'accept-encoding': 'gzip' };

/** The loads each process gets: wrk with and without gzip accepted, autocannon with it. */
type Kind = 'gzip' | 'plain' | 'gzip-autocannon';
type Results = Partial<Record<Kind, LoadResult>>;

/** Loads one process with each of `kinds` in turn, after a warm-up (JIT). */
async function measure(args: string[], port: number, readyPath: string, log: string, kinds: Kind[]): Promise<Results> {
  const [command, ...rest] = pinned(SERVER_CPU, [process.execPath, ...args]);
  const proc = MeasuredProcess.spawn(command!, rest, log, env);
  const url = `http://127.0.0.1:${port}/health`;
  const results: Results = {};
  try {
    await proc.until200(`http://127.0.0.1:${port}${readyPath}`);
    await load(url, 1, 10, kinds.includes('plain') ? {} : GZIP);
    for (const kind of kinds) {
      const r = await load(url, SECONDS, 10, kind === 'plain' ? {} : GZIP, kind === 'gzip-autocannon' ? 'autocannon' : 'wrk');
      if (r.non2xx + r.errors > 0) throw new Error(`${kind}: ${r.non2xx} non-2xx answers and ${r.errors} errors under load`);
      results[kind] = r;
    }
    return results;
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${tail(log)}`, { cause: err });
  } finally {
    await proc.stop();
  }
}

/** The two answers were fetched a moment apart: equal but for `uptime_seconds`. */
function sameButUptime(a: string, b: string): boolean {
  const strip = (s: string) => s.replace(/"uptime_seconds":[0-9.]+/, '');
  return strip(a) === strip(b);
}

async function main(): Promise<void> {
  const fake = await startFakeExampleApi(KEY);
  const cfg = tempConfig('');
  const logs = mkdtempSync(path.join(tmpdir(), 'homeiq-bench-health-'));
  dropInExamplePlugin(cfg.dir);
  const port = await freePort();
  const sources = Array.from({ length: SOURCES }, (_, i) => exampleSourceYaml(`room-${i}`, KEY, fake.url)).join('');
  cfg.write(`server:\n  host: 127.0.0.1\n  port: ${port}\n${localStorageYaml(cfg.dir)}sources:\n${sources}`);
  const hostArgs = hostCommand('--config', cfg.file);
  const bareArgs = (p: number, body?: string) => bareKoaArgs(String(p), ...(body ? [body] : []));
  const host: Results[] = [];
  const bare: Results[] = [];
  const sameBytes: Results[] = [];
  const sameGzipBytes: Results[] = [];
  let bodyBytes = 0;
  let gzipBytes = 0;
  try {
    // The host's /health body, for the same-bytes baseline.
    const first = MeasuredProcess.spawn(process.execPath, hostArgs, path.join(logs, 'host.log'), env);
    await first.until200(`http://127.0.0.1:${port}/ready`);
    const body = await (await fetch(`http://127.0.0.1:${port}/health`)).text();
    const compressed = await new Promise<Buffer>((resolve, reject) => {
      http.get(`http://127.0.0.1:${port}/health`, { headers: GZIP }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
          if (res.headers['content-encoding'] !== 'gzip') reject(new Error('the host did not answer gzip to accept-encoding: gzip'));
          else resolve(Buffer.concat(chunks));
        });
      }).on('error', reject);
    });
    if (gunzipSync(compressed).toString() !== body && !sameButUptime(gunzipSync(compressed).toString(), body)) {
      throw new Error('the gzip answer is not the plain answer compressed');
    }
    gzipBytes = compressed.length;
    await first.stop();
    bodyBytes = Buffer.byteLength(body);
    const bodyFile = path.join(logs, 'health.json');
    writeFileSync(bodyFile, body);
    const gzipFile = path.join(logs, 'health.json.gz');
    writeFileSync(gzipFile, compressed);
    const all: Kind[] = ['gzip', 'plain', 'gzip-autocannon'];
    for (let i = 0; i < ROUNDS; i++) {
      const p1 = await freePort();
      bare.push(await measure(await bareArgs(p1), p1, '/health', path.join(logs, 'bare.log'), all));
      host.push(await measure(hostArgs, port, '/ready', path.join(logs, 'host.log'), all));
      const p2 = await freePort();
      sameBytes.push(await measure(await bareArgs(p2, bodyFile), p2, '/health', path.join(logs, 'bare.log'), ['plain']));
      const p3 = await freePort();
      sameGzipBytes.push(await measure(await bareArgs(p3, gzipFile), p3, '/health', path.join(logs, 'bare.log'), ['gzip', 'gzip-autocannon']));
    }
  } finally {
    await fake.close();
    rmSync(cfg.dir, { recursive: true, force: true });
    rmSync(logs, { recursive: true, force: true });
  }
  const m = (rs: Results[], kind: Kind, k: keyof LoadResult) => median(rs.map((r) => r[kind]![k]));
  const pair = (label: string, kind: Kind, k: 'rps' | 'p99Ms', baseline: Results[], unit: string) =>
    console.log(line(label, m(host, kind, k), m(baseline, kind, k), unit));
  console.log(`health-api: GET /health with ${SOURCES} sources (${bodyBytes} bytes, ${gzipBytes} gzip'd), 10 connections, ${SECONDS} s x ${ROUNDS} rounds, medians`);
  console.log('wrk, accept-encoding: gzip on both sides (the verdict):');
  pair('requests/s vs bare JSON route', 'gzip', 'rps', bare, 'req/s');
  pair('p99 latency vs bare JSON route', 'gzip', 'p99Ms', bare, 'ms');
  console.log(line('bytes per answer', m(host, 'gzip', 'bytesPerRequest'), m(bare, 'gzip', 'bytesPerRequest'), 'B'));
  pair('requests/s vs bare, same gzip bytes', 'gzip', 'rps', sameGzipBytes, 'req/s');
  pair('p99 latency vs bare, same gzip bytes', 'gzip', 'p99Ms', sameGzipBytes, 'ms');
  console.log('wrk, without accept-encoding (the host sends the whole JSON):');
  pair('requests/s vs bare JSON route', 'plain', 'rps', bare, 'req/s');
  pair('p99 latency vs bare JSON route', 'plain', 'p99Ms', bare, 'ms');
  pair('requests/s vs bare, same bytes', 'plain', 'rps', sameBytes, 'req/s');
  pair('p99 latency vs bare, same bytes', 'plain', 'p99Ms', sameBytes, 'ms');
  console.log('autocannon (node, shares the cores), accept-encoding: gzip:');
  pair('requests/s vs bare JSON route', 'gzip-autocannon', 'rps', bare, 'req/s');
  pair('p99 latency vs bare JSON route', 'gzip-autocannon', 'p99Ms', bare, 'ms');
  pair('requests/s vs bare, same gzip bytes', 'gzip-autocannon', 'rps', sameGzipBytes, 'req/s');
  const share = m(host, 'gzip', 'rps') / m(bare, 'gzip', 'rps');
  const p99 = m(host, 'gzip', 'p99Ms') / Math.max(0.001, m(bare, 'gzip', 'p99Ms'));
  verdict([
    { goal: `throughput ${(share * 100).toFixed(0)} % of the bare JSON route >= 50 % (gzip accepted)`, ok: share >= 0.5 },
    { goal: `p99 ${p99.toFixed(2)}x the bare JSON route's <= 3x (gzip accepted)`, ok: p99 <= 3 },
  ]);
}

await main();
