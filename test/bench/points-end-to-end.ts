// Points end to end: a plugin's points through the runner, the batching storage and the InfluxDB
// v1 sink into a real influxd 1.x on loopback, against a raw bulk POST of the same points to the
// same server (support/influx-bulk.ts: line protocol built and joined before the clock starts).
// The host runs in this process (startHost, under tsx) with SOURCES sources of a synthetic
// in-process plugin whose every run returns RUN_SIZE weather points (made in its fetch: charged
// to the host, as a plugin's own work is). Per round, every source is run RUNS times (all sources
// at once, as a minute boundary does) and the clock stops when the storage has acknowledged the
// last point. Host CPU per point is process.cpuUsage() over that window. Rounds alternate order.
// Goal (issue 17): end to end >= 0.6x the raw bulk POST.
// Profile the path: node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx test/bench/points-end-to-end.ts
// Run: npx tsx test/bench/points-end-to-end.ts          (under a minute)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { startHost } from '../../core/main.js';
import { influxQuery, InfluxdServer } from '../support/influxd-server.js';
import { median, verdict } from './support/figures.js';
import { count, rawBulkPost } from './support/influx-bulk.js';

const SOURCES = 10;
const RUN_SIZE = 500;
const RUNS = 20;
const POINTS = SOURCES * RUN_SIZE * RUNS;
const BATCH = 5000;
const ROUNDS = 3;

// The points of support/influx-bulk.ts's makeRun, made by a plugin (the host adds the source tag).
const PLUGIN = `let next = 0;
export default {
  id: 'bulk', apiVersion: 1, title: 'Bulk',
  create() {
    return { async fetch() {
      const base = Date.UTC(2027, 0, 1);
      const first = next;
      next += ${RUN_SIZE};
      return Array.from({ length: ${RUN_SIZE} }, (_, k) => {
        const i = first + k;
        return {
          measurement: 'weather',
          tags: { station: 'station_' + (i % 50), provider: 'open_meteo' },
          fields: { temperature_c: 10 + (i % 300) / 10, relative_humidity_pct: 40 + (i % 60), wind_speed_kmh: (i % 90) / 3, weather_code: { int: i % 4 } },
          time: new Date(base + Math.floor(i / 50) * 1000),
        };
      });
    } };
  },
};
`;

async function main(): Promise<void> {
  const influx = await InfluxdServer.start();
  const dir = mkdtempSync(path.join(tmpdir(), 'homeiq-bench-e2e-'));
  const deadline = setTimeout(() => {
    console.error('benchmark: over 150 s, giving up');
    void influx.destroy().finally(() => process.exit(1));
  }, 150_000);
  try {
    await influxQuery(influx.url, 'CREATE DATABASE e2e');
    writeFileSync(path.join(dir, 'bulk.mjs'), PLUGIN);
    const sources = Array.from({ length: SOURCES }, (_, i) => `  s${i}:\n    plugin: ./bulk.mjs\n    interval: 1h\n`).join('');
    writeFileSync(
      path.join(dir, 'sources.yaml'),
      `server:\n  host: 127.0.0.1\nstorage:\n  influxdb:\n    url: ${influx.url}\n    api: v1\n    database: e2e\n    precision: s\n  batch_size: ${BATCH}\n` +
        `  spool_dir: ${dir}/spool\n  local_dir: ${dir}/points\nsources:\n${sources}`,
    );
    const running = await startHost({ configFile: path.join(dir, 'sources.yaml'), env: {}, logDestination: pino.destination({ dest: path.join(dir, 'host.log'), sync: false }), port: 0, watch: false });
    while (!running.host.ready()) await new Promise((r) => setTimeout(r, 20));
    const ids = running.host.sourceIds;
    const written = () => running.storage.health().points_written;
    const endToEnd = async (): Promise<{ pps: number; cpuUsPerPoint: number }> => {
      const before = written();
      const cpu = process.cpuUsage();
      const started = performance.now();
      for (let r = 0; r < RUNS; r++) {
        const outcomes = await Promise.all(ids.map((id) => running.host.runner(id)!.run()));
        const failed = outcomes.find((o) => !o.ok);
        if (failed) throw new Error(`a run failed: ${JSON.stringify(failed)}`);
      }
      while (written() - before < POINTS) await new Promise((r) => setTimeout(r, 2));
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      return { pps: POINTS / seconds, cpuUsPerPoint: (used.user + used.system) / POINTS };
    };
    // Warm-up of both paths (a fresh influxd creates shards and series on the first writes).
    await endToEnd();
    await influxQuery(influx.url, 'CREATE DATABASE warmup');
    await rawBulkPost(influx.url, 'warmup', 0, POINTS, RUN_SIZE, BATCH);
    const raw: number[] = [];
    const e2e: number[] = [];
    const cpuUs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of round % 2 ? ['e2e', 'raw'] : ['raw', 'e2e']) {
        if (mode === 'raw') {
          const db = `raw_${round}`;
          await influxQuery(influx.url, `CREATE DATABASE ${db}`);
          raw.push(await rawBulkPost(influx.url, db, round + 1, POINTS, RUN_SIZE, BATCH));
          if ((await count(influx.url, db)) !== POINTS) throw new Error(`raw: the server does not hold ${POINTS} points`);
        } else {
          const r = await endToEnd();
          e2e.push(r.pps);
          cpuUs.push(r.cpuUsPerPoint);
        }
      }
      console.log(`round ${round + 1}: raw ${Math.round(raw.at(-1)!).toLocaleString('en')} points/s, end to end ${Math.round(e2e.at(-1)!).toLocaleString('en')} points/s (${cpuUs.at(-1)!.toFixed(1)} µs host CPU a point)`);
    }
    const stored = await count(influx.url, 'e2e');
    await running.stop(5000);
    // Every source's first run at start, the warm-up and the measured rounds.
    const expected = SOURCES * RUN_SIZE + POINTS * (ROUNDS + 1);
    if (stored !== expected) throw new Error(`end to end: the server holds ${stored} of ${expected} points`);
    const ratio = median(e2e) / median(raw);
    console.log(`\npoints end to end: ${SOURCES} sources x ${RUNS} runs x ${RUN_SIZE} points = ${POINTS.toLocaleString('en')} a round, batches of ${BATCH}, median of ${ROUNDS} rounds, load average ${loadavg()[0]!.toFixed(2)}`);
    console.log(`raw bulk POST   ${Math.round(median(raw)).toLocaleString('en')} points/s`);
    console.log(`end to end      ${Math.round(median(e2e)).toLocaleString('en')} points/s = ${ratio.toFixed(2)}x raw (per-round ${e2e.map((v, i) => (v / raw[i]!).toFixed(2)).join(', ')}), ${median(cpuUs).toFixed(1)} µs of host CPU a point`);
    verdict([{ goal: `end to end ${ratio.toFixed(2)}x the raw bulk POST >= 0.6x`, ok: ratio >= 0.6 }]);
  } finally {
    clearTimeout(deadline);
    await influx.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
