import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, expectPrompt, pluginModule, sleep, startCliHost, type CliHost } from './cli-host.js';

// Drop-in plugins that abuse the host, run through the built program as `npm start` runs it.
let host: CliHost | undefined;
beforeAll(buildCli);
afterEach(async () => {
  await host?.stop();
  host = undefined;
});

const source = (id: string, options = '') => `  ${id}:\n    plugin: ./${id}.mjs\n    interval: 1s\n${options ? `    options:\n${options}` : ''}`;
const PRELUDE = 'let run = 0; const at = () => new Date(Date.now() - 60_000);';

const PLUGINS: Record<string, string> = {
  // 5,000 points a run, every one a new series (a calendar whose events change every run).
  'flood.mjs': pluginModule(
    'flood',
    'async fetch() { run++; return Array.from({ length: 5000 }, (_, i) => ({ measurement: "calendar_event", tags: { event_id: `r${run}-${i}` }, fields: { summary: "x" }, time: at() })); }',
    PRELUDE,
  ),
  // One NaN among good points.
  'nan.mjs': pluginModule(
    'nan',
    'async fetch() { return [1, Number.NaN, 3].map((value, i) => ({ measurement: "m", tags: { i: String(i) }, fields: { value }, time: at() })); }',
    PRELUDE,
  ),
  // Blocks the event loop past its timeout, then answers.
  'busy.mjs': pluginModule('busy', 'async fetch() { const until = Date.now() + 400; while (Date.now() < until); return [{ measurement: "m", fields: { v: 1 }, time: at() }]; }', PRELUDE),
  // A dispose() that never ends.
  'stuck.mjs': pluginModule('stuck', 'async fetch() { return [{ measurement: "m", fields: { v: 1 }, time: at() }]; }, dispose() { return new Promise(() => {}); }', PRELUDE),
};

describe('plugins that abuse the host (through the built program)', () => {
  it('bounds points and series, keeps good points of a bad run, times out a busy loop, and stops within 10 s despite a stuck dispose()', async () => {
    const sources = [
      source('flood', '      max_points_per_run: 1000\n'),
      source('nan'),
      source('busy', '      timeout: 200ms\n'),
      source('stuck'),
    ].join('');
    host = await startCliHost(sources, PLUGINS);
    const latencies: number[] = [];
    for (let i = 0; i < 12; i++) {
      latencies.push((await host.get('/health')).ms);
      await sleep(250);
    }
    expectPrompt(latencies);
    const { body } = await host.get('/health');
    // At most max_points_per_run a run; /latest holds the latest run's series only.
    expect(body.sources.flood.points_last_run).toBe(1000);
    expect(body.sources.flood.warnings).toEqual(['dropped 4000 of 5000 points: the run returned 5000 points; max_points_per_run is 1000']);
    const latest = (await host.get('/api/sources/flood/latest')).body.points as Array<{ tags: { event_id: string } }>;
    expect(latest).toHaveLength(1000);
    expect(new Set(latest.map((p) => p.tags.event_id.split('-')[0])).size).toBe(1);
    // The NaN point is dropped and counted; its run is a success with the other two.
    expect(body.sources.nan).toMatchObject({ status: 'healthy', status_detail: 'operational', points_last_run: 2 });
    expect(body.storage.dropped_points).toBeGreaterThanOrEqual(4001);
    // A busy loop past the timeout is a timeout, however it answers afterwards.
    expect(body.sources.busy).toMatchObject({ status: 'error', last_error: { message: "the run did not finish within 0.2s (the source's timeout option)" } });

    // A reload that changes `storage` says that it needs a restart.
    writeFileSync(host.file, readFileSync(host.file, 'utf8').replace('storage:\n', 'storage:\n  flush_interval: 2s\n'));
    const deadline = Date.now() + 10_000;
    while (!host.logs().some((l) => l.msg?.includes('need a restart')) && Date.now() < deadline) await sleep(100);
    expect(host.logs().find((l) => l.msg?.includes('need a restart'))).toMatchObject({ level: 40, sections: ['storage'] });

    const { code, ms } = await host.stop();
    host = undefined;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(8000);
  });

  it('a plugin calling process.exit(0) ends the host with exit code 1 and a log line naming it', async () => {
    // Its second run quits: the first lets the host come up.
    const files = { 'quitter.mjs': pluginModule('quitter', 'async fetch() { if (++run > 1) process.exit(0); return [{ measurement: "m", fields: { v: 1 }, time: at() }]; }', PRELUDE) };
    host = await startCliHost(source('quitter'), files);
    const code = await Promise.race([host.exited, sleep(10_000).then(() => 'still running')]);
    expect(code).toBe(1);
    expect(host.logs().find((l) => l.fault === 'process.exit')).toMatchObject({ level: 60, plugin: './quitter.mjs', sources: ['quitter'] });
  });
});
