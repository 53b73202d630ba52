// Scale-out (issue 22 item 6): 100,000 sources of a synthetic plugin, each once a minute, shared by
// four hosts through BullMQ on a private Redis, against the same 100,000 sources on one host with
// the local scheduler, measured in the same run. Every host is spawned as `npm start` runs it
// (plain node, dist/homeiq.mjs start --config FILE, HOST_ID and PORT from the environment), one
// after the other side: the local host first, stopped, then Redis and the four hosts.
//
// All sources are due at the same minute boundary (see writeConfig): the worst case.
// Measured at one boundary after every host is ready and every source is scheduled:
// - lateness: when a run's work began (the plugin notes Date.now() on entering fetch) minus its
//   tick (the minute boundary; with Redis the runs whose `ctx.tick` is that boundary), and how
//   many sources of the boundary ran more than once (each tick must run on one host, once);
// - runs per second: the boundary's runs over the time from the boundary to the last one's start;
// - Redis: `INFO stats` total_commands_processed over the measured window divided by the runs
//   (it counts the commands BullMQ's Lua scripts run inside Redis too), the script calls
//   (EVALSHA/EVAL in `INFO commandstats`: one round trip each) per run, Redis CPU seconds;
// - memory: each host's resident memory (VmRSS) after the boundary's runs, and its peak (VmHWM);
// - start: spawn until every host answers /ready and (Redis) every source has a job scheduler.
// The plugin keeps its notes in memory and appends them to a file per host twice a second (one
// write for all runs), so the instrument costs a few bytes per run.
//
// Run: npx tsx test/bench/scale-out.ts   (≈ 3 min; BENCH_SOURCES=5000 for a quick try)
import { mkdirSync, mkdtempSync, openSync, readSync, closeSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../support/free-port.js';
import { RedisServer } from '../support/redis-server.js';
import { line, percentile } from './support/figures.js';
import { MeasuredProcess, tail } from './support/measured-process.js';
import { hostArgs, npmStartEnv } from './support/spawn-like-npm-start.js';

const SOURCES = Number(process.env.BENCH_SOURCES ?? 100_000);
const HOSTS = 4;
const PREFIX = 'homeiq-bench';
/** Time for the start of either side (config, sources, schedulers) before the bench gives up. */
const START_LIMIT_MS = 300_000;
/** A boundary is measured only if it is at least this far after the start: the first runs are not a cold start's. */
const SETTLE_MS = 5_000;
/** How long after the boundary its runs may take before the bench stops waiting (reported). */
const RUNS_LIMIT_MS = 90_000;

const dir = mkdtempSync(path.join(tmpdir(), 'homeiq-bench-scale-out-'));

const PLUGIN = `import { openSync, writeSync } from 'node:fs';
// Notes "<tick> <began> <source>" per run in memory; one write for all of them twice a second.
const fd = openSync(process.env.BENCH_RUNS_FILE, 'a');
let notes = [];
setInterval(() => {
  if (notes.length === 0) return;
  const text = notes.join('');
  notes = [];
  writeSync(fd, text);
}, 500).unref();
export default {
  id: 'synthetic', apiVersion: 1, title: 'Synthetic',
  create() {
    return { async fetch(ctx) {
      const began = Date.now();
      notes.push(ctx.tick.getTime() + ' ' + began + ' ' + ctx.sourceId + '\\n');
      return [{ measurement: 'synthetic', fields: { value: 1 }, time: ctx.tick }];
    } };
  },
};
`;

/**
 * One config for every host of a side; `${HOST_ID}` keeps each host's storage apart. Both sides
 * run every source once a minute on the minute: the local scheduler with `schedule: "* * * * *"`
 * (its `interval` counts from each source's start, not from the clock), the shared one with
 * `interval: 1m` (a BullMQ `every` on clock multiples). A cron `schedule:` works there too, but
 * BullMQ computes each job's next tick with cron-parser: about 1 ms more host CPU per run here
 * (3,000 sources: 630–980 runs/s against 2,300).
 */
function writeConfig(file: string, scheduler: string, schedule: string): void {
  const head = `server:\n  host: 127.0.0.1\nstorage:\n  spool_dir: ${dir}/\${HOST_ID}/spool\n  local_dir: ${dir}/\${HOST_ID}/points\n${scheduler}sources:\n`;
  const lines = [head];
  for (let i = 0; i < SOURCES; i++) lines.push(`  s${i}:\n    plugin: ./synthetic.mjs\n    ${schedule}\n`);
  writeFileSync(file, lines.join(''));
}

/** A host process and the notes its plugin writes. */
class BenchHost {
  readonly process: MeasuredProcess;
  readonly runsFile: string;
  readonly logFile: string;
  private offset = 0;
  private rest = '';
  /** [tick, began, source] of every run noted so far. */
  readonly runs: Array<[number, number, string]> = [];

  constructor(
    readonly id: string,
    readonly port: number,
    config: string,
  ) {
    mkdirSync(path.join(dir, id), { recursive: true });
    this.runsFile = path.join(dir, id, 'runs.txt');
    writeFileSync(this.runsFile, '');
    this.logFile = path.join(dir, id, 'host.log');
    const env = { ...npmStartEnv(process.env), HOST_ID: id, PORT: String(port), BENCH_RUNS_FILE: this.runsFile };
    this.process = MeasuredProcess.spawn(process.execPath, hostArgs('--config', config), this.logFile, env);
  }

  /** Reads the notes added since the last call. */
  readRuns(): void {
    const size = statSync(this.runsFile).size;
    if (size <= this.offset) return;
    const buffer = Buffer.alloc(size - this.offset);
    const fd = openSync(this.runsFile, 'r');
    readSync(fd, buffer, 0, buffer.length, this.offset);
    closeSync(fd);
    this.offset = size;
    const text = this.rest + buffer.toString('utf8');
    const cut = text.lastIndexOf('\n') + 1;
    this.rest = text.slice(cut);
    for (const row of text.slice(0, cut).split('\n')) {
      if (!row) continue;
      const [tick, began, source] = row.split(' ');
      this.runs.push([Number(tick), Number(began), source!]);
    }
  }

  async ready(): Promise<boolean> {
    if (!this.process.alive) throw new Error(`host ${this.id} exited:\n${tail(this.logFile)}`);
    // Slowly: a host that is not ready answers with every source it waits for.
    return fetch(`http://127.0.0.1:${this.port}/ready`, { signal: AbortSignal.timeout(5_000) }).then(
      async (r) => (await r.arrayBuffer(), r.status === 200),
      () => false,
    );
  }

  /** Peak resident memory so far, in MiB (VmHWM). */
  peakMb(): number {
    return this.process.peakRssMb();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface RedisCounters {
  commands: number;
  cpu: number;
  calls: Map<string, number>;
  memoryMb: number;
}

async function redisCounters(redis: Redis): Promise<RedisCounters> {
  const [stats, cpu, commandstats, memory] = await Promise.all(['stats', 'cpu', 'commandstats', 'memory'].map((s) => redis.info(s)));
  const field = (text: string, name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(text)?.[1]);
  const calls = new Map<string, number>();
  for (const m of commandstats!.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(m[1]!, Number(m[2]));
  return {
    commands: field(stats!, 'total_commands_processed'),
    cpu: field(cpu!, 'used_cpu_user') + field(cpu!, 'used_cpu_sys'),
    calls,
    memoryMb: field(memory!, 'used_memory') / 1048576,
  };
}

interface Side {
  startMs: number;
  tick: number;
  lateness: number[];
  /** Sources of the boundary that ran more than once. */
  twice: number;
  runsPerSecond: number;
  rssMb: number[];
  peakMb: number[];
  hostCpuSeconds: number;
  redis?: { commands: number; scripts: number; cpuSeconds: number; top: Array<[string, number]>; memoryMb: number; reportsMb: number };
}

/**
 * Waits for the first minute boundary at least SETTLE_MS away, then until every source ran for it
 * (or RUNS_LIMIT_MS passed); the counters are read from a second before the boundary to the end.
 */
async function measureBoundary(hosts: BenchHost[], redis: Redis | null, shared: boolean): Promise<Omit<Side, 'startMs'>> {
  const tick = Math.ceil((Date.now() + SETTLE_MS) / 60_000) * 60_000;
  console.log(`measuring the boundary at ${new Date(tick).toISOString()} (in ${seconds(tick - Date.now())})`);
  for (const h of hosts) h.readRuns();
  const from = hosts.map((h) => h.runs.length);
  await sleep(tick - 1_000 - Date.now());
  const cpuBefore = hosts.reduce((sum, h) => sum + h.process.cpuSeconds(), 0);
  const before = redis ? await redisCounters(redis) : null;
  const ofBoundary = () => {
    const out: Array<[number, number, string]> = [];
    hosts.forEach((h, i) => {
      h.readRuns();
      // Local: every run noted after the boundary began in its minute (ctx.tick is when it began);
      // Redis: the runs whose tick is the boundary.
      for (const run of h.runs.slice(from[i])) if (shared ? run[0] === tick : run[1] >= tick && run[1] < tick + 60_000) out.push(run);
    });
    return out;
  };
  let runs = ofBoundary();
  let lastSaid = Date.now();
  while (new Set(runs.map(([, , source]) => source)).size < SOURCES && Date.now() < tick + RUNS_LIMIT_MS) {
    await sleep(250);
    runs = ofBoundary();
    if (Date.now() - lastSaid >= 10_000) {
      lastSaid = Date.now();
      console.log(`  ${runs.length} of ${SOURCES} runs of the boundary, ${seconds(Date.now() - tick)} after it`);
    }
  }
  // The hosts send their run reports once a second: the window ends after the last one.
  if (shared) await sleep(1_500);
  const after = redis ? await redisCounters(redis) : null;
  const cpuAfter = hosts.reduce((sum, h) => sum + h.process.cpuSeconds(), 0);
  const began = runs.map(([, b]) => b);
  const lastStart = Math.max(...began);
  const result: Omit<Side, 'startMs'> = {
    tick,
    lateness: began.map((b) => b - tick),
    twice: runs.length - new Set(runs.map(([, , source]) => source)).size,
    runsPerSecond: runs.length / Math.max(0.001, (lastStart - tick) / 1000),
    rssMb: hosts.map((h) => h.process.rssMb()),
    peakMb: hosts.map((h) => h.peakMb()),
    hostCpuSeconds: cpuAfter - cpuBefore,
  };
  if (redis && before && after) {
    const delta = [...after.calls].map(([name, calls]) => [name, calls - (before.calls.get(name) ?? 0)] as [string, number]).filter(([, n]) => n > 0);
    delta.sort((a, b) => b[1] - a[1]);
    result.redis = {
      commands: after.commands - before.commands,
      scripts: delta.filter(([name]) => name === 'evalsha' || name === 'eval').reduce((sum, [, n]) => sum + n, 0),
      cpuSeconds: after.cpu - before.cpu,
      top: delta.slice(0, 8),
      memoryMb: after.memoryMb,
      // The hash of every source's last run report (what /health shows of the other hosts' runs).
      reportsMb: Number(await redis.call('MEMORY', 'USAGE', `${PREFIX}:runs`, 'SAMPLES', '0')) / 1048576,
    };
  }
  return result;
}

async function runLocal(): Promise<Side> {
  const config = path.join(dir, 'local.yaml');
  writeConfig(config, '', 'schedule: "* * * * *"');
  console.log(`local: one host, ${SOURCES} sources (every source runs once at start)`);
  const host = new BenchHost('local', await freePort(), config);
  try {
    const spawned = Date.now();
    let lastSaid = spawned;
    while (!(await host.ready())) {
      if (Date.now() - spawned > START_LIMIT_MS) throw new Error(`local host not ready in ${seconds(START_LIMIT_MS)}:\n${tail(host.logFile)}`);
      await sleep(500);
      if (Date.now() - lastSaid >= 10_000) {
        lastSaid = Date.now();
        host.readRuns();
        console.log(`  local host starting: ${host.runs.length} runs so far (every source runs once before ready), ${seconds(Date.now() - spawned)}`);
      }
    }
    const startMs = Date.now() - spawned;
    console.log(`  local host ready (every source scheduled and run once) in ${seconds(startMs)}`);
    return { startMs, ...(await measureBoundary([host], null, false)) };
  } finally {
    await host.process.stop();
  }
}

async function runShared(): Promise<Side> {
  const server = await RedisServer.start();
  const redis = new Redis(server.url);
  const hosts: BenchHost[] = [];
  try {
    const config = path.join(dir, 'shared.yaml');
    writeConfig(config, `scheduler:\n  type: redis\n  url: ${server.url}\n  host_id: \${HOST_ID}\n  prefix: ${PREFIX}\n`, 'interval: 1m');
    console.log(`redis: ${HOSTS} hosts sharing ${SOURCES} sources through BullMQ on Redis at ${server.url}`);
    const spawned = Date.now();
    for (let i = 1; i <= HOSTS; i++) hosts.push(new BenchHost(`h${i}`, await freePort(), config));
    const ready = new Set<string>();
    let scheduled = 0;
    let lastSaid = spawned;
    while (ready.size < HOSTS || scheduled < SOURCES) {
      if (Date.now() - spawned > START_LIMIT_MS) throw new Error(`not started in ${seconds(START_LIMIT_MS)}: ${ready.size} of ${HOSTS} hosts ready, ${scheduled} of ${SOURCES} sources scheduled\n${tail(hosts[0]!.logFile)}`);
      await sleep(500);
      for (const h of hosts) if (!ready.has(h.id) && (await h.ready())) ready.add(h.id);
      // Every source has its job scheduler (the reconciling host's record) and its next job waits.
      const [recorded, schedulers] = await Promise.all([redis.hlen(`${PREFIX}:schedules`), redis.zcard(`${PREFIX}:sources:repeat`)]);
      scheduled = Math.min(recorded, schedulers);
      if (Date.now() - lastSaid >= 10_000) {
        lastSaid = Date.now();
        console.log(`  starting: ${ready.size} of ${HOSTS} hosts ready, ${scheduled} of ${SOURCES} sources scheduled, ${seconds(Date.now() - spawned)}`);
      }
    }
    const startMs = Date.now() - spawned;
    console.log(`  ${HOSTS} hosts ready and every source scheduled in ${seconds(startMs)}`);
    return { startMs, ...(await measureBoundary(hosts, redis, true)) };
  } finally {
    await Promise.all(hosts.map((h) => h.process.stop()));
    redis.disconnect();
    await server.destroy();
  }
}

try {
  hostArgs(); // the build, before any clock
  writeFileSync(path.join(dir, 'synthetic.mjs'), PLUGIN);
  const began = Date.now();
  console.log(`load average ${loadavg()[0]!.toFixed(2)}`);
  const local = await runLocal();
  const shared = await runShared();
  const p = (s: Side, q: number) => percentile(s.lateness, q);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  console.log(`load average ${loadavg()[0]!.toFixed(2)}; bench took ${seconds(Date.now() - began)}`);
  console.log(`scale-out: ${SOURCES} sources once a minute, all due at the same boundary; ${HOSTS} hosts on Redis (value) vs one host, local scheduler (baseline)`);
  console.log(`runs of the boundary: ${shared.lateness.length} for ${SOURCES} sources, ${shared.twice} sources run twice (Redis); ${local.lateness.length}, ${local.twice} twice (local)`);
  console.log(line('lateness p50', p(shared, 50), p(local, 50), 'ms'));
  console.log(line('lateness p99', p(shared, 99), p(local, 99), 'ms'));
  console.log(line('lateness max', p(shared, 100), p(local, 100), 'ms'));
  console.log(line('runs per second', shared.runsPerSecond, local.runsPerSecond, '/s'));
  console.log(line('start until all scheduled', shared.startMs / 1000, local.startMs / 1000, 's'));
  console.log(line('resident memory per host (mean)', sum(shared.rssMb) / HOSTS, local.rssMb[0]!, 'MiB'));
  console.log(line('peak resident memory per host (max)', Math.max(...shared.peakMb), local.peakMb[0]!, 'MiB'));
  console.log(line('host CPU per run (all hosts)', (shared.hostCpuSeconds / shared.lateness.length) * 1e6, (local.hostCpuSeconds / local.lateness.length) * 1e6, 'µs'));
  console.log(`memory per host after the runs: ${shared.rssMb.map((m, i) => `h${i + 1} ${m.toFixed(0)}`).join(', ')} MiB (peaks ${shared.peakMb.map((m) => m.toFixed(0)).join(', ')}); local ${local.rssMb[0]!.toFixed(0)} MiB (peak ${local.peakMb[0]!.toFixed(0)})`);
  const r = shared.redis!;
  const runs = shared.lateness.length;
  console.log(`redis, over the measured window: ${(r.commands / runs).toFixed(1)} commands per run (INFO stats total_commands_processed, commands inside BullMQ's Lua scripts included), ${(r.scripts / runs).toFixed(1)} script calls per run (EVALSHA/EVAL: one round trip each), ${r.cpuSeconds.toFixed(1)} s of Redis CPU (${((r.cpuSeconds / runs) * 1e6).toFixed(0)} µs per run), used memory ${r.memoryMb.toFixed(0)} MiB (of which the run reports ${r.reportsMb.toFixed(0)} MiB)`);
  console.log(`redis commands per run: ${r.top.map(([name, n]) => `${name} ${(n / runs).toFixed(2)}`).join(', ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(process.exitCode ?? 0);
