// Footprint: resident memory and time from spawn to `/ready` of the host with every built-in
// source configured (against fake upstreams on loopback), against a bare Koa server answering
// one JSON route, spawned the same way: `homeiq` runs one esbuild bundle (its code and its
// dependencies) under plain node, so the baseline (with Koa) is bundled the same way, run by plain node.
// Rounds alternate host and baseline; medians.
// Goals (issue 11): memory at most 1.6x the baseline; ready within 0.5 s, read as the time the
// host adds to the baseline's spawn-to-first-answer (node start-up is paid by both).
// Run: npx tsx test/bench/footprint.ts
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../support/free-port.js';
import { localStorageYaml, tempConfig } from '../support/temp-config.js';
import { startBuiltinFakes } from './support/builtin-sources.js';
import { line, median, verdict } from './support/figures.js';
import { MeasuredProcess, tail } from './support/measured-process.js';
import { bareKoaArgs, hostArgs, npmStartEnv } from './support/spawn-like-npm-start.js';

const ROUNDS = 3;
const SETTLE_MS = 1500;
const logs = mkdtempSync(path.join(tmpdir(), 'homeiq-bench-footprint-'));
const env: NodeJS.ProcessEnv = npmStartEnv({ ...process.env, NODE_ENV: 'production' });
delete env.PORT;
delete env.HOMEIQ_CONFIG;

interface Sample {
  readyMs: number;
  rssMb: number;
  /** Spawn to the host's "HomeIQ Sources is running" log line (module loading, config, listen). */
  listeningMs?: number;
}

/** When the host logged that it listens, from its JSON log (epoch ms), after `since`. */
function listeningAt(log: string, since: number): number | undefined {
  for (const text of readFileSync(log, 'utf8').split('\n')) {
    if (!text.includes('HomeIQ Sources is running')) continue;
    const time = (JSON.parse(text) as { time: number }).time;
    if (time >= since) return time;
  }
  return undefined;
}

async function measure(args: string[], url: string, log: string, check?: (url: string) => Promise<void>): Promise<Sample> {
  const spawnedAt = Date.now();
  const proc = MeasuredProcess.spawn(process.execPath, args, log, env);
  try {
    const readyMs = await proc.until200(url);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    await check?.(url);
    const listening = listeningAt(log, spawnedAt);
    return { readyMs, rssMb: proc.rssMb(), listeningMs: listening === undefined ? undefined : listening - spawnedAt };
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${tail(log)}`, { cause: err });
  } finally {
    await proc.stop();
  }
}

async function main(): Promise<void> {
  // The host's bundle is built before the first round (hostArgs): a start after an update pays the build once.
  const fakes = await startBuiltinFakes();
  const cfg = tempConfig('');
  const port = await freePort();
  cfg.write(`server:\n  host: 127.0.0.1\n  port: ${port}\n${localStorageYaml(cfg.dir)}sources:\n${fakes.yaml}`);
  // Every source must have run once against its fake; a fake without data for today may leave a
  // source degraded (ENTSO-E "no prices yet"), which is still a full run of its code.
  let states = '';
  const ranOnce = async () => {
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { sources: Record<string, { status_detail: string; last_error: { message: string } | null }> };
    states = Object.entries(health.sources).map(([id, s]) => `${id}=${s.status_detail}`).join(', ');
    const stuck = Object.entries(health.sources).filter(([, s]) => s.status_detail === 'starting' || s.status_detail === 'error');
    if (stuck.length > 0) throw new Error(`sources that did not run: ${stuck.map(([id, s]) => `${id} (${s.last_error?.message})`).join(', ')}`);
  };
  const host: Sample[] = [];
  const bare: Sample[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const barePort = await freePort();
      bare.push(await measure(await bareKoaArgs(String(barePort)), `http://127.0.0.1:${barePort}/health`, path.join(logs, 'bare.log')));
      const args = await hostArgs('start', '--config', cfg.file);
      host.push(await measure(args, `http://127.0.0.1:${port}/ready`, path.join(logs, 'host.log'), i === 0 ? ranOnce : undefined));
    }
  } finally {
    await fakes.close();
    rmSync(cfg.dir, { recursive: true, force: true });
    rmSync(logs, { recursive: true, force: true });
  }
  const rss = median(host.map((s) => s.rssMb));
  const rssBare = median(bare.map((s) => s.rssMb));
  const ready = median(host.map((s) => s.readyMs));
  const readyBare = median(bare.map((s) => s.readyMs));
  console.log(`footprint: host with ${fakes.ids.length} built-in sources (${fakes.ids.join(', ')}), ${ROUNDS} rounds, medians`);
  console.log(`states after the first run: ${states}`);
  console.log(line('resident memory after ready', rss, rssBare, 'MiB'));
  console.log(line('spawn to ready (200)', ready, readyBare, 'ms'));
  const listening = median(host.map((s) => s.listeningMs ?? NaN));
  console.log(`${'  of which spawn to listening'.padEnd(34)} ${listening.toFixed(0).padStart(8)} ms (loading modules, config, plugins)`);
  console.log(`${'  of which listening to ready'.padEnd(34)} ${(ready - listening).toFixed(0).padStart(8)} ms (the first run of every source)`);
  console.log(`${'time the host adds to ready'.padEnd(34)} ${(ready - readyBare).toFixed(0).padStart(8)} ms`);
  verdict([
    { goal: `memory ${(rss / rssBare).toFixed(2)}x <= 1.6x`, ok: rss / rssBare <= 1.6 },
    { goal: `ready ${((ready - readyBare) / 1000).toFixed(2)} s after the baseline's first answer <= 0.5 s`, ok: ready - readyBare <= 500 },
  ]);
}

await main();
