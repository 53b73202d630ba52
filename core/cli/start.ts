import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { packagePath } from '../paths.js';
import { Redactor } from '../logging/redactor.js';
import { startHost, type RunningHost } from '../main.js';
import type { CliIo } from './cli.js';

/** `homeiq start`: runs until SIGTERM or SIGINT; SIGHUP reloads the config. */
export async function startCommand(configFile: string, io: CliIo): Promise<number> {
  // Filled with the config's secrets by startHost: what is printed when the start fails is redacted too.
  const redactor = new Redactor();
  const guard = new FaultGuard(path.dirname(path.resolve(configFile)), io, redactor);
  // Before startHost: the first run of every source starts inside it, and a plugin can leak a
  // rejection there (with Node's default, --unhandled-rejections=throw, that ends the process).
  guard.install();
  let running: RunningHost;
  try {
    running = await startHost({ configFile, env: io.env, redactor });
  } catch (err) {
    guard.startFailed();
    throw err;
  }
  return new Promise<number>((resolve) => {
    const shutdown = (signal: string, code = 0) => {
      guard.ending();
      running.logger.info({ signal }, 'shutting down');
      running.stop().then(
        () => resolve(code),
        (err) => {
          running.logger.error({ err }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    guard.attach(running, () => shutdown('uncaught exception', 1));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGHUP', () => void running.reloader.reload('SIGHUP'));
  });
}

const CORE = packagePath('core');
/**
 * The built program (core/ and the built-in plugins in one file, without a source map: it would
 * cost ≈ 8 MiB of resident memory). A frame there counts as host code.
 */
const BUILT = packagePath('dist');
/** What plugins call as a library: an exception from it happened in plugin code. */
const PLUGIN_API = path.join(CORE, 'plugin-api');
const PLUGIN_ID = /^[a-z0-9][a-z0-9_-]*$/;
/** A host fault stops gracefully; if that hangs (its state may be broken), the process ends anyway. */
const FORCED_EXIT_MS = 5000;
/** The same fault from the same plugin is logged once, then at most once a minute with a count. */
const REPEAT_LOG_MS = 60_000;
const MAX_DISTINCT_FAULTS = 1000;

type FaultKind = 'unhandled rejection' | 'uncaught exception';

interface Fault {
  kind: FaultKind;
  reason: unknown;
}

interface Origin {
  /** The plugin spec of the config (`./leaky.mjs`, `open-meteo`) whose code is on the stack. */
  plugin?: string;
  /** The sources running that plugin. */
  sources: string[];
  /** Whether host code (core/, the plugin API aside) was on the stack when it was thrown. */
  inHost: boolean;
}

/**
 * Process-level faults of a running host. Policy:
 * - An unhandled rejection is logged (with the plugin and sources whose code made it, when the
 *   stack says) and the host keeps running: a rejection unwinds no stack, so no host state was
 *   left half-changed.
 * - An uncaught exception thrown by plugin code with no host code on the stack (a plugin's
 *   setTimeout callback) is logged the same way and the host keeps running: only plugin code was
 *   interrupted. Any other uncaught exception (host code on the stack, or no stack to tell) is
 *   logged as fatal and the host stops with exit code 1, as Node's documentation advises: after
 *   an exception of unknown origin the process state cannot be trusted. A supervisor restarts it.
 */
class FaultGuard {
  private running: RunningHost | null = null;
  private readonly pending: Fault[] = [];
  private readonly seen = new Map<string, { count: number; loggedAt: number }>();
  private onFatal: () => void = () => undefined;
  private fatal = false;
  /** The host did not start: faults are printed (redacted) as the process ends, each line once. */
  private failed = false;
  private readonly printed = new Set<string>();
  private readonly onRejection = (reason: unknown) => this.record({ kind: 'unhandled rejection', reason });
  private readonly onException = (reason: unknown) => this.record({ kind: 'uncaught exception', reason });
  /** The host decided to end (a signal, a fatal fault, a failed start): an exit is expected. */
  private ended = false;
  private readonly onExit = () => this.unexpectedExit();

  constructor(
    private readonly configDir: string,
    private readonly io: CliIo,
    private readonly redactor: Redactor,
  ) {}

  install(): void {
    process.on('unhandledRejection', this.onRejection);
    process.on('uncaughtException', this.onException);
    process.on('exit', this.onExit);
  }

  /** The host is stopping: an exit from now on is its own. */
  ending(): void {
    this.ended = true;
  }

  /**
   * The process ends while the host runs: something called `process.exit()`, a plugin as a rule
   * (the call is on the stack of this 'exit' event, which names it). Nothing can stop the exit any
   * more; it is logged (synchronously: pino flushes its buffer on exit) and the exit code becomes 1,
   * a runtime failure, so a supervisor restarts the host.
   */
  private unexpectedExit(): void {
    if (this.ended || this.failed || this.fatal) return;
    const reason = new Error('process.exit() was called while the host ran');
    const origin: Origin = this.running ? originOf(reason, this.sources(this.running), this.configDir) : { sources: [], inHost: false };
    const where = origin.plugin ? { plugin: origin.plugin, sources: origin.sources } : { stack: reason.stack };
    const code = process.exitCode;
    process.exitCode = 1;
    const message = `${origin.plugin ? 'a plugin' : 'code of unknown origin'} called process.exit(); the host ends with exit code 1`;
    if (this.running) this.running.logger.fatal({ fault: 'process.exit', requested_code: code, ...where }, message);
    else this.io.err(`homeiq: ${message}\n`);
  }

  /** From now on faults are logged through the host's (redacting) logger; earlier ones now. */
  attach(running: RunningHost, onFatal: () => void): void {
    this.running = running;
    this.onFatal = onFatal;
    for (const fault of this.pending.splice(0)) this.report(fault);
  }

  /**
   * The host did not start (the process ends with exit code 1): what was caught meanwhile, and what
   * the plugins' first runs still leak while it ends, goes to stderr, redacted, once per message.
   * Node's defaults would print the whole error, secrets included, and replace the exit code.
   */
  startFailed(): void {
    this.failed = true;
    this.ended = true;
    for (const fault of this.pending.splice(0)) this.printFailed(fault);
  }

  private printFailed({ kind, reason }: Fault): void {
    const line = `homeiq: ${kind} while starting: ${this.redactor.brief(messageOf(reason))}\n`;
    if (this.printed.has(line)) return;
    this.printed.add(line);
    this.io.err(line);
  }

  private record(fault: Fault): void {
    if (this.running) this.report(fault);
    else if (this.failed) this.printFailed(fault);
    else this.pending.push(fault);
  }

  private report({ kind, reason }: Fault): void {
    const running = this.running!;
    const origin = originOf(reason, this.sources(running), this.configDir);
    const stack = reason instanceof Error ? reason.stack : undefined;
    if (kind === 'uncaught exception' && (!origin.plugin || origin.inHost)) {
      if (this.fatal) return; // already stopping
      this.fatal = true;
      process.exitCode = 1;
      setTimeout(() => process.exit(1), FORCED_EXIT_MS).unref();
      running.logger.fatal(
        { fault: kind, err: reason, stack, ...(origin.plugin ? { plugin: origin.plugin, sources: origin.sources } : {}) },
        'uncaught exception not confined to a plugin; the host stops (exit code 1) as its state may be inconsistent',
      );
      this.onFatal();
      return;
    }
    if (origin.plugin && origin.sources) {
      try {
        running.host.reportFault(origin.sources, `${kind} in the plugin, outside a run: ${messageOf(reason)}`);
      } catch {
        // The log line below still tells.
      }
    }
    const key = `${kind}|${origin.plugin ?? ''}|${messageOf(reason)}`;
    const now = Date.now();
    if (this.seen.size >= MAX_DISTINCT_FAULTS) this.seen.clear(); // messages that embed a counter
    const seen = this.seen.get(key) ?? { count: 0, loggedAt: -Infinity };
    seen.count += 1;
    this.seen.set(key, seen);
    if (now - seen.loggedAt < REPEAT_LOG_MS) return;
    seen.loggedAt = now;
    // A plugin's fault is told by plugin and sources; anything else needs its stack to be found.
    const where = origin.plugin ? { plugin: origin.plugin, sources: origin.sources } : { stack };
    const whose = origin.plugin ? 'in a plugin' : origin.inHost ? 'in the host' : 'of unknown origin';
    running.logger.error({ fault: kind, ...where, err: reason, occurrences: seen.count }, `${kind} ${whose}; the host keeps running`);
  }

  /** Each source's id and plugin spec; none when even the host's health cannot be read. */
  private sources(running: RunningHost): Array<[string, string]> {
    try {
      return Object.entries(running.host.health().sources).map(([id, h]): [string, string] => [id, h.plugin]);
    } catch {
      return [];
    }
  }
}

function messageOf(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}

/** The files on an error's stack, innermost first (node: internals have none). */
function stackFiles(reason: unknown): string[] {
  const stack = reason instanceof Error && typeof reason.stack === 'string' ? reason.stack : '';
  const files: string[] = [];
  for (const line of stack.split('\n').slice(1)) {
    const match = /((?:file:\/\/)?\/[^():]+):\d+:\d+\)?\s*$/.exec(line);
    if (!match) continue;
    try {
      files.push(match[1]!.startsWith('file:') ? fileURLToPath(match[1]!) : match[1]!);
    } catch {
      // Not a path after all.
    }
  }
  return files;
}

function within(file: string, root: string): boolean {
  return file === root || file.startsWith(root + path.sep);
}

/** Where a plugin spec's code can live: a drop-in path, a built-in folder, an npm package. */
function pluginLocations(spec: string, configDir: string): string[] {
  if (!PLUGIN_ID.test(spec) && !spec.startsWith('@')) return [path.resolve(configDir, spec)];
  return [packagePath('plugins', spec), path.join(configDir, 'node_modules', spec), packagePath('node_modules', spec)];
}

/** Which plugin (and so which sources) the innermost traceable frame of `reason` belongs to. */
function originOf(reason: unknown, sources: Array<[string, string]>, configDir: string): Origin {
  const files = stackFiles(reason);
  const inHost = files.some((file) => (within(file, CORE) && !within(file, PLUGIN_API)) || within(file, BUILT));
  for (const file of files) {
    const owners = sources.filter(([, spec]) => pluginLocations(spec, configDir).some((root) => within(file, root)));
    if (owners.length > 0) return { plugin: owners[0]![1], sources: owners.map(([id]) => id), inHost };
  }
  return { sources: [], inHost };
}
