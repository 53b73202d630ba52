import path from 'node:path';
import { pino } from 'pino';
import { BUILTIN_PLUGINS } from '../builtin-plugins.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { createLogger } from '../logging/logger.js';
import { Redactor } from '../logging/redactor.js';
import { registerSecrets } from '../main.js';
import type { SourcePoint } from '../plugin-api/point.js';
import { PluginLoader } from '../runtime/plugin-loader.js';
import { LocalScheduler } from '../runtime/scheduler.js';
import { prepareSources, type PreparedSource } from '../runtime/source-set.js';
import { SourceRunner, type PointSink, type RunOutcome } from '../runtime/source-runner.js';
import type { CliIo } from './cli.js';

/** A sink that keeps points in memory: `once` and `check` write nothing. */
class CollectingSink implements PointSink {
  readonly points: SourcePoint[] = [];
  write(points: readonly SourcePoint[]): void {
    this.points.push(...points);
  }
  lastWritten(): Date | null {
    return null;
  }
}

export interface OfflineResult {
  prepared: PreparedSource;
  runner: SourceRunner;
  /** Null when the source did not run (disabled, standby, plugin error). */
  outcome: RunOutcome | null;
}

/**
 * Loads the config and runs every enabled source once through the real runtime (token lifecycle,
 * error mapping), without storage. Sources run concurrently; each is bounded by its own timeout.
 * With `startable`, a config that `homeiq start` would refuse is refused here too (`check`).
 */
export async function runEachOnce(configFile: string, io: CliIo, options: { startable?: boolean } = {}): Promise<{ loaded: LoadedConfig; results: OfflineResult[] }> {
  const redactor = new Redactor();
  const loaded = await loadConfig(path.resolve(configFile), io.env);
  registerSecrets(redactor, loaded);
  // Logs go to stderr, errors only: the command's own output says what happened to each source.
  const logger = createLogger({ level: io.env.LOG_LEVEL ?? 'error', redactor, destination: pino.destination(2) });
  const prepared = await prepareSources(loaded, new PluginLoader(BUILTIN_PLUGINS));
  const scheduler = new LocalScheduler();
  const sink = new CollectingSink();
  const results = await Promise.all(
    prepared.map(async (p): Promise<OfflineResult> => {
      const runner = new SourceRunner({ ...p, sink, scheduler, logger, redactor });
      const runnable = runner.start({ schedule: false });
      const outcome = runnable ? await runner.run() : null;
      await runner.stop(0);
      return { prepared: p, runner, outcome };
    }),
  );
  scheduler.stop();
  return { loaded, results };
}
