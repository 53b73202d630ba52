// Storage throughput (issue 4): points per second into a real InfluxDB 1.x (influxd 1.6.7 on
// loopback), three modes measured in the same run against the same server:
//   raw   - the baseline: the same points' line protocol (serialised through the client's Point,
//           as the sink does) joined into bodies of 5,000 lines before the clock starts, then POSTed
//           to /write one request at a time over one keep-alive connection. It is the server's own
//           ceiling for these bytes: nothing of the client's work is in it.
//   sink  - the storage as the host uses it: source runs of 500 SourcePoints handed to write(), the
//           event loop turning between runs as it does between source runs in the host. The clock
//           covers creating the points (charged to the sink; ~2 % of its time), serialising them,
//           batching (5,000), and the v1 writer's POSTs through the client's transport over one
//           keep-alive connection, one request at a time (so the store sees batches in order, as
//           the raw loop does), until the store acknowledged the last batch.
//   spool - the sink with every batch forced through the durable spool (append + fsync, then
//           replay from the spool and acknowledge), as during and after an outage.
// Same points, batch size, server, connection reuse and request concurrency in all modes; no
// gzip in any (on loopback it only adds CPU on both sides). Each round uses fresh databases and
// times, and rotates the order of the modes; figures are medians of 5 rounds.
// Goals: sink >= 80 % of raw; spool overhead (1 - spool/sink) <= 20 %. Also printed: the median
// of the per-round ratios (each pairs runs made seconds apart, so it is less sensitive to other
// load on the machine); the verdict uses the ratio of the medians.
// Run: npx tsx test/bench/storage-throughput.ts [points]     (default 150000; 20-60 s)
import { cpus } from 'node:os';
import { pino } from 'pino';
import { BatchingStorage } from '../../core/storage/batching-storage.js';
import { InfluxV1Writer } from '../../core/storage/influx-v1-writer.js';
import { Spool } from '../../core/storage/spool.js';
import { InfluxdServer } from '../support/influxd-server.js';
import { median, verdict } from './support/figures.js';
import { tempDir } from '../support/storage-fixture.js';
import { count, makeRun, query, rawBulkPost } from './support/influx-bulk.js';

const POINTS = Number(process.argv[2] ?? 150_000);
const BATCH = 5000;
/** Points handed to `write` at once, like one source run. */
const RUN_SIZE = 500;
const ROUNDS = 5;

/**
 * Through the storage: source runs of RUN_SIZE points handed to write() (their creation counted
 * against the sink), then flush, then wait for the spool to be replayed.
 */
async function runSink(url: string, db: string, round: number, total: number, spoolEverything: boolean): Promise<number> {
  const { dir, cleanup } = tempDir('homeiq-bench-');
  const storage = new BatchingStorage({
    type: 'influxdb',
    writer: new InfluxV1Writer({ url, api: 'v1', database: db }, 's'),
    spool: new Spool({ dir, maxBytes: 1024 ** 3 }),
    precision: 's',
    batchSize: BATCH,
    flushIntervalMs: 1000,
    logger: pino({ level: 'warn' }),
    spoolEverything,
  });
  await storage.start();
  const started = performance.now();
  for (let i = 0; i < total; i += RUN_SIZE) {
    storage.write(makeRun(round, i, RUN_SIZE));
    // Each source run is its own task in the host (a timer, then the upstream's answer), so the
    // event loop, and with it the storage's I/O, runs between two runs.
    await new Promise((r) => setImmediate(r));
  }
  await storage.flush();
  await storage.replayed();
  const seconds = (performance.now() - started) / 1000;
  const health = storage.health();
  await storage.close();
  cleanup();
  if (health.points_written !== total || health.dropped_points !== 0) throw new Error(`sink lost points: ${JSON.stringify(health)}`);
  return total / seconds;
}

async function main(): Promise<void> {
  const server = await InfluxdServer.start();
  // Bounded in time; the server is stopped either way, so no influxd outlives the benchmark.
  const deadline = setTimeout(() => {
    console.error('benchmark: over 110 s, giving up');
    void server.destroy().finally(() => process.exit(1));
  }, 110_000);
  try {
    const results: Record<'raw' | 'sink' | 'spool', number[]> = { raw: [], sink: [], spool: [] };
    // Warm-up: the first writes into a fresh influxd create shards and series.
    await query(server.url, 'CREATE DATABASE warmup');
    await runSink(server.url, 'warmup', ROUNDS, 20_000, false);
    for (let round = 0; round < ROUNDS; round++) {
      // Fresh databases and times per round, and the order rotates, so no mode gets a warmer server.
      const modes = (['raw', 'sink', 'spool'] as const).map((m, i, all) => all[(i + round) % all.length]!);
      for (const mode of modes) {
        const db = `bench_${mode}_${round}`;
        await query(server.url, `CREATE DATABASE ${db}`);
        const pps = mode === 'raw' ? await rawBulkPost(server.url, db, round, POINTS, RUN_SIZE, BATCH) : await runSink(server.url, db, round, POINTS, mode === 'spool');
        if ((await count(server.url, db)) !== POINTS) throw new Error(`${mode}: the server does not hold ${POINTS} points`);
        results[mode].push(pps);
        console.log(`round ${round + 1} ${mode.padEnd(5)} ${Math.round(pps).toLocaleString('en')} points/s`);
      }
    }
    const raw = median(results.raw);
    const sink = median(results.sink);
    const spool = median(results.spool);
    const paired = (a: number[], b: number[]) => median(a.map((v, i) => v / b[i]!));
    const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
    console.log(`\n${POINTS.toLocaleString('en')} points, batches of ${BATCH}, median of ${ROUNDS} rounds, influxd ${server.url}, ${cpus().length} CPUs (${cpus()[0]?.model.trim()})`);
    console.log(`raw bulk POST      ${Math.round(raw).toLocaleString('en')} points/s`);
    console.log(`sink               ${Math.round(sink).toLocaleString('en')} points/s  = ${pct(sink / raw)} of raw (per-round median ${pct(paired(results.sink, results.raw))})`);
    console.log(`sink, forced spool ${Math.round(spool).toLocaleString('en')} points/s  = spool overhead ${pct(1 - spool / sink)} (per-round median ${pct(1 - paired(results.spool, results.sink))})`);
    verdict([
      { goal: `sink >= 80 % of the raw bulk POST (${pct(sink / raw)})`, ok: sink / raw >= 0.8 },
      { goal: `spool overhead <= 20 % (${pct(1 - spool / sink)})`, ok: 1 - spool / sink <= 0.2 },
    ]);
  } finally {
    clearTimeout(deadline);
    await server.destroy();
  }
}

await main();
