import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../core/main.js';
import { LogCapture } from '../../core/testkit/index.js';
import { startFakeExampleApi, type FakeExampleApi } from '../fakes/example-api.js';
import { dropInExamplePlugin } from '../support/readme-plugin.js';
import { eventually } from '../support/storage-fixture.js';
import { localStorageYaml, tempConfig } from '../support/temp-config.js';
import { exampleSource, expectOnSchedule, expectPrompt, pluginModule, sleep } from './cli-host.js';

// The config file rewritten by hand while the host runs (the watcher, not a test hook, reloads
// it): sources added, changed and removed while their runs are in flight, a broken file, its fix.
const KEY = 'example-key-123';
let fake: FakeExampleApi;
let running: RunningHost | undefined;
let logs: LogCapture;

beforeEach(async () => {
  fake = await startFakeExampleApi(KEY);
  logs = new LogCapture();
});
afterEach(async () => {
  await running?.stop(1000);
  running = undefined;
  await fake.close();
});

// A run takes 600 ms and notes its start and end, so a reload lands while one is in flight.
const slowRuns = (log: string) =>
  pluginModule(
    'slow-runs',
    `async fetch(ctx) {
      const note = (what) => appendFileSync(${JSON.stringify(log)}, [ctx.sourceId, ctx.options.label, what, Date.now()].join(" ") + "\\n");
      note("start");
      await new Promise((r) => setTimeout(r, 600));
      note("end");
      return [{ measurement: "reload_probe", tags: { label: ctx.options.label }, fields: { v: 1 }, time: new Date() }];
    }`,
    'import { appendFileSync } from "node:fs";',
  ).replace('apiVersion: 1,', 'apiVersion: 1, options: { type: "object", properties: { label: { type: "string", default: "a" } } },');

const slowSource = (id: string, label: string, interval = '1s') => `  ${id}:\n    plugin: ./slow-runs.mjs\n    interval: ${interval}\n    options:\n      label: ${label}\n`;

describe('the config file rewritten while runs are in flight', () => {
  it('applies each valid version, refuses a broken one with FILE:LINE and keeps the previous, never disturbing an unchanged source', async () => {
    const cfg = tempConfig('');
    dropInExamplePlugin(cfg.dir);
    const log = path.join(cfg.dir, 'runs.log');
    writeFileSync(log, '');
    writeFileSync(path.join(cfg.dir, 'slow-runs.mjs'), slowRuns(log));
    const head = `server:\n  host: 127.0.0.1\n${localStorageYaml(cfg.dir)}sources:\n`;
    const steady = exampleSource('steady', KEY, fake.url);
    const write = (sources: string) => cfg.write(head + steady + sources);
    write(slowSource('busy', 'a'));
    const startedAt = Date.now();
    running = await startHost({ configFile: cfg.file, env: {}, logDestination: logs, port: 0, backoffBaseMs: 5 });
    const steadyRunner = running.host.runner('steady');
    const latencies: number[] = [];
    const health = async () => {
      const t0 = performance.now();
      const res = await fetch(`${running!.url}/health`);
      latencies.push(performance.now() - t0);
      expect(res.status).toBe(200);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return (await res.json()) as any;
    };
    /** Waits until busy is in the middle of a run, so the next write lands while it is in flight. */
    const midRun = async () => {
      await eventually('a run of busy in flight', () => /start \d+\n$/.test(readFileSync(log, 'utf8')), 5000);
      await sleep(100);
    };

    // Added: a second slow source.
    await midRun();
    write(slowSource('busy', 'a') + slowSource('extra', 'x'));
    await eventually('extra to run', async () => (await health()).sources.extra?.status_detail === 'operational', 5000);

    // Changed while its run is in flight: busy is restarted with its new options and schedule.
    await midRun();
    write(slowSource('busy', 'b', '2s') + slowSource('extra', 'x'));
    await eventually('busy to run with label b', () => readFileSync(log, 'utf8').includes('busy b end'), 5000);
    expect((await health()).sources.busy.schedule).toBe('every 2s');

    // Removed while its run is in flight.
    await eventually('a run of extra in flight', () => /extra x start \d+\n$/.test(readFileSync(log, 'utf8')), 5000);
    write(slowSource('busy', 'b', '2s'));
    await eventually('extra to be gone', async () => (await health()).sources.extra === undefined, 5000);
    const removedAt = Date.now();

    // Broken twice (an indentation error, then an interval that is too short):
    // each refused with FILE:LINE, the running config stays.
    cfg.write(`${head}${steady}  busy:\n    plugin: ./slow-runs.mjs\n   interval: 2s\n`);
    await eventually('the broken file to be refused', () => logs.text().includes('config reload refused'), 5000);
    const before = (await health()).sources;
    cfg.write(head + steady + slowSource('busy', 'c', '10ms'));
    await eventually('the second broken file to be refused', () => refusals(logs).length >= 2, 5000);
    const [syntax, tooShort] = refusals(logs);
    const busyLine = (head + steady).split('\n').length;
    expect(syntax).toContain(`${cfg.file}:${busyLine + 2}: invalid YAML: All mapping items must start at the same column`);
    expect(tooShort).toContain(`${cfg.file}:${busyLine + 2}: sources.busy.interval: must be at least 1s`);
    const refusedAt = Date.now();
    await eventually('busy to run on, as before', () => runsOf(log, 'busy b').some((at) => at > refusedAt), 5000);
    const during = await health();
    expect(Object.keys(during.sources).sort()).toEqual(['busy', 'steady']);
    expect(during.sources.busy).toMatchObject({ status_detail: 'operational', schedule: 'every 2s' });
    expect(during.sources.busy.last_successful_fetch > before.busy.last_successful_fetch).toBe(true);

    // Fixed: applied again.
    write(slowSource('busy', 'd'));
    await eventually('busy to run with label d', () => readFileSync(log, 'utf8').includes('busy d end'), 5000);
    expect((await health()).sources.busy.schedule).toBe('every 1s');

    // The unchanged source was never restarted and kept its 1 s schedule through all of it.
    expect(running.host.runner('steady')).toBe(steadyRunner);
    expectOnSchedule(fake.requests.map((r) => r.at), 1000, startedAt);
    expectPrompt(latencies);

    // Runs of one source never overlapped across a restart, and a removed source ran no more.
    const events = readFileSync(log, 'utf8').trim().split('\n').map((l) => l.split(' '));
    for (const id of ['busy', 'extra']) {
      const own = events.filter(([source]) => source === id).map(([, , what]) => what);
      for (let i = 0; i < own.length; i++) expect(own[i]).toBe(i % 2 === 0 ? 'start' : 'end');
    }
    expect(events.filter(([source, , what, at]) => source === 'extra' && what === 'start' && Number(at) > removedAt)).toEqual([]);
  }, 40_000);
});

/** When the runs of `source` with `label` ended. */
function runsOf(log: string, sourceAndLabel: string): number[] {
  return [...readFileSync(log, 'utf8').matchAll(new RegExp(`^${sourceAndLabel} end (\\d+)$`, 'gm'))].map((m) => Number(m[1]));
}

function refusals(logs: LogCapture): string[] {
  return logs
    .text()
    .split('\n')
    .filter((l) => l.includes('config reload refused'))
    .map((l) => (JSON.parse(l) as { problems: string }).problems);
}
