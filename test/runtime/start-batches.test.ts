// Thousands of sources start in batches (core/runtime/host.ts START_BATCH): the event loop gets a
// turn between them, so timers and HTTP requests are served while a big config starts.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../core/main.js';
import { LogCapture } from '../../core/testkit/index.js';
import { localStorageYaml, tempConfig } from '../support/temp-config.js';

const SOURCES = 1200;

/** Counts the fetches called so far in `globalThis.__fetches`. */
const PLUGIN = `export default {
  id: 'counting', apiVersion: 1, title: 'Counting',
  create() {
    return { async fetch() {
      globalThis.__fetches = (globalThis.__fetches ?? 0) + 1;
      return [{ measurement: 'counting', fields: { value: 1 } }];
    } };
  },
};
`;

let running: RunningHost | undefined;
afterEach(async () => {
  await running?.stop(1000);
  running = undefined;
  delete (globalThis as { __fetches?: number }).__fetches;
});

it(`starts ${SOURCES} sources in batches, letting the event loop turn between them`, async () => {
  const cfg = tempConfig('');
  writeFileSync(path.join(cfg.dir, 'counting.mjs'), PLUGIN);
  const sources = Array.from({ length: SOURCES }, (_, i) => `  s${i}:\n    plugin: ./counting.mjs\n    interval: 1h\n`).join('');
  cfg.write(`server:\n  host: 127.0.0.1\n${localStorageYaml(cfg.dir)}sources:\n${sources}`);
  // What a turn of the event loop sees while the host starts: how many sources had begun their first run.
  const seen: number[] = [];
  let sampling = true;
  const sample = () => {
    seen.push((globalThis as { __fetches?: number }).__fetches ?? 0);
    if (sampling) setImmediate(sample);
  };
  setImmediate(sample);
  running = await startHost({ configFile: cfg.file, env: {}, logDestination: new LogCapture(), port: 0, watch: false });
  sampling = false;
  expect((globalThis as { __fetches?: number }).__fetches).toBe(SOURCES);
  // Between batches of 500 the loop turned with 500 and 1000 sources started, never in the middle of a batch.
  const between = [...new Set(seen.filter((n) => n > 0 && n < SOURCES))];
  expect(between).toEqual([500, 1000]);
  const health = (await (await fetch(`${running.url}/health`)).json()) as { sources: Record<string, unknown> };
  expect(Object.keys(health.sources)).toHaveLength(SOURCES);
}, 60_000);
