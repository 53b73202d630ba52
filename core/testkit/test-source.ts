import { validateSourceOptions } from '../config/plugin-options.js';
import { sourceSettings } from '../config/source-settings.js';
import type { SourceConfig } from '../config/types.js';
import { createLogger } from '../logging/logger.js';
import { Redactor } from '../logging/redactor.js';
import { ConfigError } from '../plugin-api/errors.js';
import type { SourcePoint } from '../plugin-api/point.js';
import type { PluginDeclaration } from '../plugin-api/plugin.js';
import { LocalScheduler } from '../runtime/scheduler.js';
import { SourceRunner, type RunOutcome } from '../runtime/source-runner.js';
import type { SourceHealth } from '../runtime/source-state.js';
import { LogCapture } from './log-capture.js';

export interface TestSourceOptions {
  plugin: PluginDeclaration;
  /** Source id; default `test`. */
  id?: string;
  options?: Record<string, unknown>;
  credentials?: Record<string, string>;
  /** Backoff base for HTTP retries (default 10 ms, so retry tests stay fast). */
  backoffBaseMs?: number;
  now?: () => number;
}

export interface TestSource {
  /** The source's validated options (defaults applied). */
  readonly options: Record<string, unknown>;
  /** Whether it started for real (false in standby, disabled or on a create error). */
  readonly runnable: boolean;
  /** One run through the runtime. */
  run(): Promise<RunOutcome>;
  /** The source's object of `GET /health`. */
  health(): SourceHealth;
  /** What `/api/sources/:id/latest` would answer. */
  latest(): unknown;
  /** Every point the runs produced, with their `source` tag. */
  readonly points: SourcePoint[];
  /** The log output (JSON lines), already redacted as the host redacts it. */
  logs(): string;
  stop(): Promise<void>;
}

/** Builds a source of `plugin` as the host would, and starts it without a schedule. */
export async function createTestSource(o: TestSourceOptions): Promise<TestSource> {
  const id = o.id ?? 'test';
  const source: SourceConfig = { id, plugin: o.plugin.id, enabled: true, credentials: o.credentials ?? {}, options: o.options ?? {} };
  const checked = validateSourceOptions(o.plugin, source, () => undefined, 'test');
  if (checked.problems.length > 0) {
    throw new ConfigError(checked.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  }
  const capture = new LogCapture();
  const redactor = new Redactor();
  const logger = createLogger({ level: 'debug', redactor, destination: capture });
  const points: SourcePoint[] = [];
  const scheduler = new LocalScheduler();
  const runner = new SourceRunner({
    source,
    plugin: o.plugin,
    options: checked.options,
    settings: sourceSettings(o.plugin, checked.options),
    sink: { write: (p) => void points.push(...p), lastWritten: () => null },
    scheduler,
    logger,
    redactor,
    now: o.now,
    backoffBaseMs: o.backoffBaseMs ?? 10,
  });
  const runnable = runner.start({ schedule: false });
  return {
    options: checked.options,
    runnable,
    run: () => runner.run(),
    health: () => runner.health(),
    latest: () => runner.latest(),
    points,
    logs: () => capture.text(),
    stop: async () => {
      await runner.stop(0);
      scheduler.stop();
    },
  };
}
