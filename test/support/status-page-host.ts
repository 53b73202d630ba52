import { startHost, type RunningHost } from '../../core/main.js';
import { LogCapture } from '../../core/testkit/index.js';
import { dropInExamplePlugin } from './readme-plugin.js';
import { localStorageYaml, tempConfig } from './temp-config.js';

export interface PageHost {
  running: RunningHost;
  /** Where the status page and the rest of the API answer. */
  url: string;
  /** The config folder; the README's example plugin sits in `./example-sensor`. */
  dir: string;
  logs: LogCapture;
  stop(): Promise<void>;
}

export interface PageHostOptions {
  env?: Record<string, string>;
  /** The `storage:` block for the config folder `dir`; default the local store inside it. */
  storage?: (dir: string) => string;
  /** Puts more files (plugins) into the config folder before the host starts. */
  prepare?: (dir: string) => void;
}

/**
 * Starts a host the way the CLI does (startHost, port 0, a temporary config folder with the
 * README's example plugin dropped in and the local store inside it); its port serves the status page.
 * `sources` is the YAML under `sources:`.
 */
export async function startPageHost(sources: string, options: PageHostOptions = {}): Promise<PageHost> {
  const cfg = tempConfig('');
  dropInExamplePlugin(cfg.dir);
  options.prepare?.(cfg.dir);
  const storage = options.storage ? options.storage(cfg.dir) : localStorageYaml(cfg.dir);
  cfg.write(`server:\n  host: 127.0.0.1\n${storage}sources:\n${sources}`);
  const logs = new LogCapture();
  const running = await startHost({ configFile: cfg.file, env: { ...options.env }, logDestination: logs, port: 0, watch: false, backoffBaseMs: 5 });
  return {
    running,
    url: running.url,
    dir: cfg.dir,
    logs,
    stop: () => running.stop(1000),
  };
}

// The README example source, hourly (tests trigger runs): status-page tests import it from here.
export { exampleSourceYaml } from './readme-plugin.js';
