import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../core/main.js';
import { LogCapture } from '../../core/testkit/index.js';
import { InfluxdServer } from '../support/influxd-server.js';
import { createDatabase, eventually, uniqueName } from '../support/storage-fixture.js';
import { tempConfig } from '../support/temp-config.js';
import { expectOnSchedule, expectPrompt, pluginModule, sleep } from './cli-host.js';

// A private influxd: this test stops and starts it three times, which the shared one must never see.
let influx: InfluxdServer;
let running: RunningHost | undefined;
beforeAll(async () => {
  influx = await InfluxdServer.start();
});
afterAll(async () => influx.destroy());
afterEach(async () => {
  await running?.stop(1000);
  running = undefined;
  if (!influx.running) await influx.start();
});

// Every run makes one point, numbered per source, and notes it in produced.log before handing it over.
const counter = (log: string) =>
  pluginModule(
    'counter',
    `async fetch(ctx) {
      seq += 1;
      const time = new Date();
      appendFileSync(${JSON.stringify(log)}, ctx.sourceId + " " + seq + " " + time.getTime() + "\\n");
      return [{ measurement: "restart_probe", fields: { seq }, time }];
    }`,
    'import { appendFileSync } from "node:fs";\nlet seq = 0;',
  );

const SOURCES = ['s1', 's2', 's3', 's4', 's5'];

async function storedPoints(db: string): Promise<string[]> {
  const result = await influx.query('SELECT "seq", "source" FROM "restart_probe"', db);
  return (result.results[0]?.series?.[0]?.values ?? []).map(([time, seq, source]) => `${source as string} ${seq as number} ${time as number}`).sort();
}

describe('InfluxDB restarted repeatedly while sources write', () => {
  it('loses no point; health shows each outage with a clear message and the recovery', async () => {
    const db = uniqueName('restarts');
    await createDatabase(influx.url, db);
    const cfg = tempConfig('');
    const log = path.join(cfg.dir, 'produced.log');
    writeFileSync(log, '');
    // Each counter.mjs copy is its own module, so each source numbers its points from 1.
    for (const id of SOURCES) writeFileSync(path.join(cfg.dir, `counter-${id}.mjs`), counter(log));
    const sources = SOURCES.map((id) => `  ${id}:\n    plugin: ./counter-${id}.mjs\n    interval: 1s\n`).join('');
    cfg.write(
      `server:\n  host: 127.0.0.1\nstorage:\n  influxdb:\n    url: ${influx.url}\n    api: v1\n    database: ${db}\n    precision: ms\n    timeout: 2s\n` +
        `  spool_dir: ${path.join(cfg.dir, 'spool')}\n  flush_interval: 200ms\nsources:\n${sources}`,
    );
    running = await startHost({ configFile: cfg.file, env: {}, logDestination: new LogCapture(), port: 0, watch: false });
    const latencies: number[] = [];
    const health = async () => {
      const t0 = performance.now();
      const res = await fetch(`${running!.url}/health`);
      expect(res.status).toBe(200);
      latencies.push(performance.now() - t0);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return (await res.json()) as any;
    };
    await sleep(1200);
    expect((await health()).storage).toMatchObject({ status: 'healthy', spooled_points: 0 });

    for (let outage = 1; outage <= 3; outage++) {
      await influx.stop();
      await eventually('the storage to notice the outage', async () => (await health()).storage.spooled_points > 0, 10_000);
      // influxd may answer a last write with 500 while it shuts down; once it is gone, the error says so.
      const unreachable = new RegExp(`^cannot reach InfluxDB at ${influx.url}: E[A-Z]+$`);
      await eventually('the storage to report InfluxDB unreachable', async () => unreachable.test((await health()).storage.last_error?.message ?? ''), 10_000);
      const down = (await health()).storage;
      expect(down.status).toBe('degraded');
      expect(down.last_error.message).toMatch(unreachable);
      await sleep(800);
      await influx.start();
      await eventually(`recovery after outage ${outage}`, async () => {
        const s = (await health()).storage;
        return s.status === 'healthy' && s.spooled_points === 0;
      }, 20_000);
    }
    const end = (await health()).storage;
    expect(end).toMatchObject({ status: 'healthy', spooled_points: 0, dropped_points: 0 });
    expectPrompt(latencies);

    await running.stop(2000);
    running = undefined;
    const produced = readFileSync(log, 'utf8').trim().split('\n').sort();
    // Every source kept its 1 s schedule through the outages.
    for (const id of SOURCES) {
      const times = produced.filter((l) => l.startsWith(`${id} `)).map((l) => Number(l.split(' ')[2])).sort((a, b) => a - b);
      expect(times.length).toBeGreaterThan(5);
      expectOnSchedule(times, 1000);
    }
    expect(await storedPoints(db)).toEqual(produced);
  }, 60_000);
});
