// A child of test/bench/scale.ts. Usage: node --import tsx scale-child.ts host|cron SOURCES AT_MS
// Schedules SOURCES jobs once a minute at the second of AT_MS (all due together: the worst case),
// records when each job's work began, and prints one JSON line: lateness figures and memory.
// `host`: the real host (startHost) with SOURCES sources of a synthetic in-process plugin.
// `cron`: node-cron alone with SOURCES empty tasks (the baseline).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import cron from 'node-cron';
import { pino } from 'pino';

const [mode, countText, atText] = process.argv.slice(2);
const count = Number(countText);
let at = Number(atText);
const expression = `${new Date(at).getUTCSeconds()} * * * * *`;
const seen: number[] = [];
/**
 * A job's work began at `t`. Every call records the same way, start-up runs included (they are
 * left out below): a branch that only the measured second takes would make V8 drop the optimised
 * code of the jobs' callers there, and the bench would measure its own instrument.
 */
let from = 0;
const record = (t: number) => {
  seen.push(t);
};
(globalThis as { __benchFetch?: (t: number) => void }).__benchFetch = record;

const PLUGIN = `export default {
  id: 'synthetic', apiVersion: 1, title: 'Synthetic',
  create() {
    return { async fetch() {
      const now = Date.now();
      globalThis.__benchFetch?.(now);
      return [{ measurement: 'synthetic', fields: { value: 1 }, time: new Date(now) }];
    } };
  },
};
`;

async function startHostWithSources(dir: string): Promise<() => Promise<void>> {
  const { startHost } = await import('../../../core/main.js');
  writeFileSync(path.join(dir, 'synthetic.mjs'), PLUGIN);
  const lines = [`server:\n  host: 127.0.0.1\nstorage:\n  spool_dir: ${dir}/spool\n  local_dir: ${dir}/points\nsources:\n`];
  for (let i = 0; i < count; i++) lines.push(`  s${i}:\n    plugin: ./synthetic.mjs\n    schedule: "${expression}"\n`);
  writeFileSync(path.join(dir, 'sources.yaml'), lines.join(''));
  const logDestination = pino.destination({ dest: path.join(dir, 'host.log'), sync: false });
  const running = await startHost({ configFile: path.join(dir, 'sources.yaml'), env: {}, logDestination, port: 0, watch: false });
  while (!running.host.ready()) await new Promise((r) => setTimeout(r, 50));
  return () => running.stop(2000);
}

function startCron(): () => Promise<void> {
  const tasks = Array.from({ length: count }, () => cron.schedule(expression, () => record(Date.now())));
  return async () => {
    for (const t of tasks) await t.destroy();
  };
}

const dir = mkdtempSync(path.join(tmpdir(), 'homeiq-bench-scale-'));
const startedAt = Date.now();
const stop = mode === 'host' ? await startHostWithSources(dir) : startCron();
const readyAt = Date.now();
// Started too late for that second (a loaded machine): the jobs are due at the same second of the
// next minute as well; runs seen before that (at start-up) do not count.
if (readyAt > at - 1000) at += Math.ceil((readyAt + 1000 - at) / 60_000) * 60_000;
// The start-up's runs (every source runs once before ready) are not measured.
from = seen.length;
const rssBefore = process.memoryUsage().rss;
const deadline = at + 20_000;
while (seen.length - from < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
const rss = process.memoryUsage().rss;
await stop();
rmSync(dir, { recursive: true, force: true });
const mb = (b: number) => Math.round((b / 1048576) * 10) / 10;
console.log(JSON.stringify({
  mode,
  startMs: readyAt - startedAt,
  lateness: seen.slice(from).map((t) => t - at),
  rssMb: mb(rss),
  rssIdleMb: mb(rssBefore),
  maxRssMb: mb(process.resourceUsage().maxRSS * 1024),
}));
process.exit(0);
