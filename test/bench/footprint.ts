// Footprint against what a user would run instead: the host (spawned as `npm start` runs it) with
// one source of every built-in plugin against its fake upstream, writing to InfluxDB 1.x, side by
// side with Node-RED polling as many upstreams into the same influxd (one flow each: inject →
// http request → function → influxdb out; support/node-red.ts installs it into ~/.cache). A
// bare Koa JSON route is the second baseline (what node and a web framework cost on their own).
// Three rounds, the order alternating. Per contestant and round:
//   - spawn to done: the host's /ready; Node-RED's last of its first writes (a recording proxy in
//     front of influxd, support/write-recorder.ts); the bare route's first 200;
//   - resident memory (VmRSS) SETTLE_MS after done, and again after the idle window;
//   - CPU (threads' time on a CPU, /proc/<pid>/task/*/schedstat) over an idle window of IDLE_MS with no run due (every source hourly,
//     every inject every 300 s), scaled to CPU-seconds per minute.
// Goals (issue 17): memory after the idle window <= 0.8x Node-RED's; spawn to /ready <= Node-RED's
// spawn to all first writes; idle CPU <= 0.5x Node-RED's. Figures are medians; ranges printed.
// Run: npx tsx test/bench/footprint.ts          (about 3.5 minutes; the first run installs Node-RED)
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../support/free-port.js';
import { influxQuery, InfluxdServer } from '../support/influxd-server.js';
import { tempConfig } from '../support/temp-config.js';
import { startBuiltinFakes } from './support/builtin-sources.js';
import { median, verdict } from './support/figures.js';
import { MeasuredProcess, tail } from './support/measured-process.js';
import { installNodeRed, nodeRedArgs } from './support/node-red.js';
import { bareKoaArgs, hostArgs, npmStart, npmStartEnv } from './support/spawn-like-npm-start.js';
import { WriteRecorder } from './support/write-recorder.js';

const ROUNDS = 3;
const SETTLE_MS = 5_000;
/** The idle window, scaled to a minute (shortened from 60 s to keep the bench near 3 minutes). */
const IDLE_MS = 20_000;
/** The bare route's idle window (its idle figures are printed, not judged). */
const BARE_IDLE_MS = 5_000;
const work = mkdtempSync(path.join(tmpdir(), 'homeiq-bench-footprint-'));
const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production' };
delete env.PORT;
delete env.HOMEIQ_CONFIG;

interface Sample {
  doneMs: number;
  rssMb: number;
  rssIdleMb: number;
  cpuPerMin: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Spawns, waits for `done` (ms since spawn), then measures memory and idle CPU; stops the process. */
async function measure(args: string[], log: string, procEnv: NodeJS.ProcessEnv, done: (p: MeasuredProcess) => Promise<number>, idleMs = IDLE_MS): Promise<Sample> {
  const proc = MeasuredProcess.spawn(process.execPath, args, log, procEnv);
  try {
    const doneMs = await done(proc);
    await sleep(SETTLE_MS);
    const rssMb = proc.rssMb();
    const cpu0 = proc.cpuSeconds();
    await sleep(idleMs);
    const cpuPerMin = ((proc.cpuSeconds() - cpu0) * 60_000) / idleMs;
    return { doneMs, rssMb, rssIdleMb: proc.rssMb(), cpuPerMin };
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${tail(log)}`, { cause: err });
  } finally {
    await proc.stop();
  }
}

/** Fake JSON forecasts for Node-RED's flows (48 hourly values, like a day-ahead price or weather answer). */
async function startForecasts(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const day = Math.floor(Date.now() / 86_400_000) * 86_400_000;
    const hourly = Array.from({ length: 48 }, (_, h) => ({ time: new Date(day + h * 3_600_000).toISOString(), value: 10 + ((h * 7) % 13) / 2 }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: req.url, hourly }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

const range = (xs: number[], digits: number) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;

function report(name: string, s: Sample[], done: string): void {
  const f = (xs: number[], d: number) => `${median(xs).toFixed(d)} (${range(xs, d)})`;
  console.log(`${name.padEnd(10)} ${done.padEnd(22)} ${f(s.map((x) => x.doneMs), 0).padEnd(18)} ms | RSS settled ${f(s.map((x) => x.rssMb), 1).padEnd(18)} MiB | after idle ${f(s.map((x) => x.rssIdleMb), 1).padEnd(18)} MiB | idle CPU ${f(s.map((x) => x.cpuPerMin), 3)} s/min`);
}

async function main(): Promise<void> {
  installNodeRed();
  const hostCommand = hostArgs(); // builds first, as `npm install` would
  const influx = await InfluxdServer.start();
  const recorder = await WriteRecorder.start(influx.url);
  const fakes = await startBuiltinFakes();
  const forecasts = await startForecasts();
  const cfg = tempConfig('');
  const port = await freePort();
  const sink = `http://127.0.0.1:${recorder.port}`;
  await influxQuery(influx.url, 'CREATE DATABASE "homeiq"');
  await influxQuery(influx.url, 'CREATE DATABASE "nodered"');
  cfg.write(
    `server:\n  host: 127.0.0.1\n  port: ${port}\nstorage:\n  influxdb:\n    url: ${sink}\n    api: v1\n    database: homeiq\n` +
      `  spool_dir: ${path.join(cfg.dir, 'spool')}\n  local_dir: ${path.join(cfg.dir, 'points')}\nsources:\n${fakes.yaml}`,
  );
  const flows = fakes.ids.map((id) => `${forecasts.url}/${id}`);
  const contestants = {
    host: async () =>
      measure([...hostCommand, '--config', cfg.file], path.join(work, 'host.log'), npmStartEnv(env), (p) => p.until200(`http://127.0.0.1:${port}/ready`)),
    'node-red': async () => {
      const args = nodeRedArgs(path.join(work, `node-red-${Date.now()}`), { urls: flows, influxPort: recorder.port, database: 'nodered', uiPort: await freePort() });
      return measure(args, path.join(work, 'node-red.log'), env, async (p) => (await recorder.nthWriteAfter(p.startedAt, flows.length)) - p.startedAt);
    },
    'bare koa': async () => {
      const barePort = await freePort();
      return measure(bareKoaArgs(String(barePort)), path.join(work, 'bare.log'), env, (p) => p.until200(`http://127.0.0.1:${barePort}/health`), BARE_IDLE_MS);
    },
  };
  const samples: Record<keyof typeof contestants, Sample[]> = { host: [], 'node-red': [], 'bare koa': [] };
  const order = Object.keys(contestants) as Array<keyof typeof contestants>;
  const load = loadavg()[0]!;
  try {
    for (let i = 0; i < ROUNDS; i++) {
      for (const name of i % 2 ? [...order].reverse() : order) samples[name].push(await contestants[name]());
    }
    const written = await influxQuery(influx.url, 'SELECT count(*) FROM /.*/', 'homeiq');
    console.log(`host wrote ${written.results[0]?.series?.length ?? 0} measurements to InfluxDB`);
  } finally {
    await Promise.all([fakes.close(), forecasts.close(), recorder.close()]);
    await influx.destroy();
    rmSync(cfg.dir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`footprint: ${fakes.ids.length} sources/flows (${fakes.ids.join(', ')}); ${ROUNDS} rounds; load average ${load.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end`);
  console.log(`host spawned as npm start runs it: ${npmStart().script}; idle window ${IDLE_MS / 1000} s scaled to a minute; medians (ranges)`);
  report('host', samples.host, 'spawn to /ready');
  report('node-red', samples['node-red'], 'spawn to all writes');
  report('bare koa', samples['bare koa'], 'spawn to first 200');
  const m = (name: keyof typeof samples, key: keyof Sample) => median(samples[name].map((s) => s[key]));
  const mem = m('host', 'rssIdleMb') / m('node-red', 'rssIdleMb');
  const ready = m('host', 'doneMs') / m('node-red', 'doneMs');
  const cpu = m('host', 'cpuPerMin') / m('node-red', 'cpuPerMin');
  console.log(`host vs bare koa: memory ${(m('host', 'rssIdleMb') / m('bare koa', 'rssIdleMb')).toFixed(2)}x, spawn to ready ${(m('host', 'doneMs') / m('bare koa', 'doneMs')).toFixed(2)}x`);
  verdict([
    { goal: `memory after idle ${mem.toFixed(2)}x Node-RED's <= 0.8x`, ok: mem <= 0.8 },
    { goal: `spawn to /ready ${ready.toFixed(2)}x Node-RED's spawn to all first writes <= 1x`, ok: ready <= 1 },
    { goal: `idle CPU ${cpu.toFixed(2)}x Node-RED's <= 0.5x`, ok: cpu <= 0.5 },
  ]);
}

await main();
