// Health API: requests per second and p99 latency of `GET /health` of the host with 100 sources
// (the README's example plugin against a fake upstream on loopback), against the bare Koa JSON
// route, with autocannon on loopback. Host and baseline run as child processes (node + tsx), the
// load generator here; rounds alternate. Goals (issue 11): at least 70 % of the bare throughput,
// p99 at most 2x.
// Every process is loaded twice with the same requests on both sides: with `accept-encoding: gzip`
// (what Home Assistant's REST sensor, aiohttp, and browsers send; the verdict) and without (the
// host then sends its 51 KB uncompressed; printed too). The bare route ignores the header and
// answers its 40 bytes either way. A third baseline, the bare route answering the host's own
// uncompressed /health bytes, says how much of the plain gap is the size of the answer.
// Run: npx tsx test/bench/health-api.ts
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFakeExampleApi } from '../fakes/example-api.js';
import { freePort } from '../support/free-port.js';
import { dropInExamplePlugin } from '../support/readme-plugin.js';
import { localStorageYaml, tempConfig } from '../support/temp-config.js';
import { line, median, verdict } from './support/figures.js';
import { load, type LoadResult } from './support/load.js';
import { MeasuredProcess, tail } from './support/measured-process.js';
import { bareKoaArgs, hostArgs as hostCommand } from './support/spawn-like-npm-start.js';

const SOURCES = 100;
const ROUNDS = 2;
const SECONDS = 5;
const KEY = 'example-key-123';
const env = { ...process.env };
delete env.PORT;
delete env.HOMEIQ_CONFIG;

const GZIP = { 'accept-encoding': 'gzip' };

/** Loads one process: with gzip accepted, then (unless `plainOnly`) without. */
async function measure(args: string[], port: number, readyPath: string, log: string, plainOnly = false): Promise<{ gzip?: LoadResult; plain: LoadResult }> {
  const proc = MeasuredProcess.spawn(process.execPath, args, log, env);
  const url = `http://127.0.0.1:${port}/health`;
  const checked = (result: LoadResult) => {
    if (result.non2xx + result.errors > 0) throw new Error(`${result.non2xx} non-2xx answers and ${result.errors} errors under load`);
    return result;
  };
  try {
    await proc.until200(`http://127.0.0.1:${port}${readyPath}`);
    await load(url, 1, 10, plainOnly ? {} : GZIP); // warm-up (JIT)
    const gzip = plainOnly ? undefined : checked(await load(url, SECONDS, 10, GZIP));
    const plain = checked(await load(url, SECONDS));
    return { gzip, plain };
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
  const sources = Array.from({ length: SOURCES }, (_, i) =>
    `  room-${i}:\n    plugin: ./example-sensor\n    interval: 1h\n    credentials:\n      api_key: ${KEY}\n    options:\n      base_url: ${fake.url}\n      retries: 0\n`).join('');
  cfg.write(`server:\n  host: 127.0.0.1\n  port: ${port}\n${localStorageYaml(cfg.dir)}sources:\n${sources}`);
  const hostArgs = await hostCommand('start', '--config', cfg.file);
  const bareArgs = (p: number, body?: string) => bareKoaArgs(String(p), ...(body ? [body] : []));
  const host: { gzip?: LoadResult; plain: LoadResult }[] = [];
  const bare: { gzip?: LoadResult; plain: LoadResult }[] = [];
  const sameBytes: LoadResult[] = [];
  const sameGzipBytes: LoadResult[] = [];
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
    for (let i = 0; i < ROUNDS; i++) {
      const p1 = await freePort();
      bare.push(await measure(await bareArgs(p1), p1, '/health', path.join(logs, 'bare.log')));
      host.push(await measure(hostArgs, port, '/ready', path.join(logs, 'host.log')));
      const p2 = await freePort();
      sameBytes.push((await measure(await bareArgs(p2, bodyFile), p2, '/health', path.join(logs, 'bare.log'), true)).plain);
      const p3 = await freePort();
      sameGzipBytes.push((await measure(await bareArgs(p3, gzipFile), p3, '/health', path.join(logs, 'bare.log'))).gzip!);
    }
  } finally {
    await fake.close();
    rmSync(cfg.dir, { recursive: true, force: true });
    rmSync(logs, { recursive: true, force: true });
  }
  const m = (rs: LoadResult[], k: keyof LoadResult) => median(rs.map((r) => r[k]));
  const gz = (rs: { gzip?: LoadResult }[]) => rs.map((r) => r.gzip!);
  const plain = (rs: { plain: LoadResult }[]) => rs.map((r) => r.plain);
  console.log(
    `health-api: GET /health with ${SOURCES} sources (${bodyBytes} bytes, ${gzipBytes} gzip'd), autocannon 10 connections, ${SECONDS} s x ${ROUNDS} rounds, medians`,
  );
  console.log('with accept-encoding: gzip on both sides (the verdict):');
  console.log(line('requests/s vs bare JSON route', m(gz(host), 'rps'), m(gz(bare), 'rps'), 'req/s'));
  console.log(line('p99 latency vs bare JSON route', m(gz(host), 'p99Ms'), m(gz(bare), 'p99Ms'), 'ms'));
  console.log(line('bytes per answer', m(gz(host), 'bytesPerRequest'), m(gz(bare), 'bytesPerRequest'), 'B'));
  console.log(line('requests/s vs bare, same gzip bytes', m(gz(host), 'rps'), m(sameGzipBytes, 'rps'), 'req/s'));
  console.log(line('p99 latency vs bare, same gzip bytes', m(gz(host), 'p99Ms'), m(sameGzipBytes, 'p99Ms'), 'ms'));
  console.log('without accept-encoding (the host sends the whole JSON):');
  console.log(line('requests/s vs bare JSON route', m(plain(host), 'rps'), m(plain(bare), 'rps'), 'req/s'));
  console.log(line('p99 latency vs bare JSON route', m(plain(host), 'p99Ms'), m(plain(bare), 'p99Ms'), 'ms'));
  console.log(line('requests/s vs bare, same bytes', m(plain(host), 'rps'), m(sameBytes, 'rps'), 'req/s'));
  console.log(line('p99 latency vs bare, same bytes', m(plain(host), 'p99Ms'), m(sameBytes, 'p99Ms'), 'ms'));
  const share = m(gz(host), 'rps') / m(gz(bare), 'rps');
  const p99 = m(gz(host), 'p99Ms') / Math.max(1, m(gz(bare), 'p99Ms'));
  verdict([
    { goal: `throughput ${(share * 100).toFixed(0)} % of the bare JSON route >= 70 % (gzip accepted)`, ok: share >= 0.7 },
    { goal: `p99 ${p99.toFixed(2)}x the bare JSON route's <= 2x (gzip accepted)`, ok: p99 <= 2 },
  ]);
}

await main();
