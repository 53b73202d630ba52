import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eventually } from './eventually.js';
import { freePort, spawnCli } from './run-cli.js';

/** The synthetic source's interval, and so the spacing of its ticks. */
export const TICK_MS = 10_000;
/** How long one run of the synthetic source takes: long enough for a `kill -9` to land mid-run. */
export const RUN_MS = 400;

/**
 * A synthetic plugin: each run waits RUN_MS, stamps its point with the run's tick (`ctx.tick`, the
 * same on whichever host runs it) and a value that depends on the source and tick only, and notes
 * in its host's run log when it began and when it ended, so that a test sees every run, the ones a
 * kill cut short included.
 */
function pluginText(logDir: string): string {
  return `import { appendFileSync } from 'node:fs';
const LOG = ${JSON.stringify(logDir)} + '/runs-' + process.env.HOST_ID + '.log';
const note = (what, source, tick) => appendFileSync(LOG, what + ' ' + source + ' ' + tick + ' ' + Date.now() + '\\n');
export default {
  id: 'synthetic', apiVersion: 1, title: 'Synthetic',
  create({ sourceId }) {
    return { async fetch(ctx) {
      const tick = ctx.tick.getTime();
      note('start', sourceId, tick);
      await new Promise((resolve) => setTimeout(resolve, ${RUN_MS}));
      note('end', sourceId, tick);
      return [{ measurement: 'synthetic', fields: { value: ${EXPECTED_VALUE} }, time: ctx.tick }];
    } };
  },
};
`;
}

/** What a run writes, as the plugin's code: the same formula as `expectedValue` below. */
const EXPECTED_VALUE = '(tick / 1000) % 100000 + Number(sourceId.replace(/\\D/g, "") || 0) / 1000';

/** The value a run of `source` at `tick` writes. */
export function expectedValue(source: string, tick: number): number {
  return ((tick / 1000) % 100_000) + Number(source.replace(/\D/g, '') || 0) / 1000;
}

/** One line of a host's run log. */
export interface RunNote {
  host: string;
  what: 'start' | 'end';
  source: string;
  tick: number;
  at: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Health = any;

export interface FleetHost {
  id: string;
  port: number;
  child: ReturnType<typeof spawnCli>;
}

/**
 * Hosts sharing the sources through one Redis, each `homeiq start --config FILE` in its own
 * process as `npm start` runs it, with `HOST_ID` and `PORT` from its environment.
 *
 * Every host reads the same config file. Host `a` opens it where it lies (`shared/sources.yaml`),
 * the others through a symlink in a folder of their own (`host-b/sources.yaml`): their config
 * watch sees their own folder, not the target's, so a change of the file reaches them only through
 * Redis (the event host `a` publishes after reconciling, or a tick of a source they do not know) —
 * as hosts on several machines, each told of a new config by nobody but the shared scheduler.
 */
export class HostFleet {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'homeiq-fleet-'));
  readonly hosts = new Map<string, FleetHost>();
  private readonly sharedFile = path.join(this.dir, 'shared', 'sources.yaml');
  private readonly plugin = path.join(this.dir, 'synthetic.mjs');

  constructor(
    private readonly settings: { redisUrl: string; influxUrl: string; database: string },
  ) {
    mkdirSync(path.join(this.dir, 'shared'));
    writeFileSync(this.plugin, pluginText(this.dir));
  }

  /** Writes the shared config with these source ids (atomically: a host never reads half a file). */
  writeConfig(sources: readonly string[]): void {
    const { redisUrl, influxUrl, database } = this.settings;
    const lines = [
      'server:',
      '  host: 127.0.0.1',
      'scheduler:',
      '  type: redis',
      `  url: ${redisUrl}`,
      '  host_id: ${HOST_ID}',
      'storage:',
      '  influxdb:',
      `    url: ${influxUrl}`,
      '    api: v1',
      `    database: ${database}`,
      `  spool_dir: ${path.join(this.dir, 'spool-${HOST_ID}')}`,
      '  flush_interval: 200ms',
      'sources:',
    ];
    for (const id of sources) lines.push(`  ${id}:`, `    plugin: ${this.plugin}`, '    interval: 10s');
    const next = `${this.sharedFile}.next`;
    writeFileSync(next, lines.join('\n') + '\n');
    renameSync(next, this.sharedFile);
  }

  /** Starts host `id` and waits until its `/health` says Redis is connected. */
  async start(id: string): Promise<FleetHost> {
    let file = this.sharedFile;
    if (id !== 'a') {
      const own = path.join(this.dir, `host-${id}`);
      mkdirSync(own, { recursive: true });
      file = path.join(own, 'sources.yaml');
      rmSync(file, { force: true });
      symlinkSync(this.sharedFile, file);
    }
    const port = await freePort();
    const child = spawnCli(['start', '--config', file], { HOST_ID: id, PORT: String(port) });
    const host = { id, port, child };
    this.hosts.set(id, host);
    await eventually(`host ${id} answers /health, connected to Redis`, async () => {
      if (child.exitCode !== null) throw new Error(`host ${id} exited (${child.exitCode}):\n${child.output().slice(-3000)}`);
      const health = await this.health(id).catch(() => undefined);
      return health?.scheduler?.connected === true;
    }, 30_000);
    return host;
  }

  async health(id: string): Promise<Health> {
    const res = await fetch(`http://127.0.0.1:${this.hosts.get(id)!.port}/health`, { signal: AbortSignal.timeout(5_000) });
    return res.json();
  }

  /** `kill -9`: the host ends mid-whatever, says nothing to Redis. */
  async kill(id: string): Promise<number> {
    const child = this.hosts.get(id)!.child;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    const at = Date.now();
    await exited;
    return at;
  }

  /** Every line of every host's run log. */
  runs(): RunNote[] {
    const notes: RunNote[] = [];
    for (const id of this.hosts.keys()) {
      let text = '';
      try {
        text = readFileSync(path.join(this.dir, `runs-${id}.log`), 'utf8');
      } catch {
        continue; // no run yet
      }
      for (const line of text.split('\n')) {
        const [what, source, tick, at] = line.split(' ');
        if (!at) continue; // the last line of a killed host may be cut
        notes.push({ host: id, what: what as RunNote['what'], source: source!, tick: Number(tick), at: Number(at) });
      }
    }
    return notes;
  }

  output(id: string): string {
    return this.hosts.get(id)!.child.output();
  }

  /** Stops the hosts still running (SIGTERM, as a supervisor does), then removes the folder. */
  async destroy(): Promise<void> {
    await Promise.all(
      [...this.hosts.values()].map(async ({ child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(killer);
      }),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}
