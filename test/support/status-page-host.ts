import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../core/http/app.js';
import { statusPageRoutes } from '../../core/http/status-page.js';
import { Redactor } from '../../core/logging/redactor.js';
import { startHost, type RunningHost } from '../../core/main.js';
import { LogCapture } from '../../core/testkit/index.js';
import { dropInExamplePlugin } from './readme-plugin.js';
import { localStorageYaml, tempConfig } from './temp-config.js';

export interface PageHost {
  running: RunningHost;
  /** Where the status page and the rest of the API answer (with the page's routes mounted). */
  url: string;
  /** The config folder; the README's example plugin sits in `./example-sensor`. */
  dir: string;
  logs: LogCapture;
  stop(): Promise<void>;
}

/**
 * Serves a running host's API with the status page mounted through createApp's `extend`, as
 * startHost will once it passes `extend: statusPageRoutes`. Until then the page listens on a
 * second loopback port over the same Host. (The routes under test are the real ones; the only
 * difference is that this app has no /metrics, which the host's own port serves.)
 */
export async function serveStatusPage(running: RunningHost): Promise<{ url: string; close(): Promise<void> }> {
  const app = createApp({ host: running.host, redactor: new Redactor(), logger: running.logger, extend: statusPageRoutes });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close };
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
 * README's example plugin dropped in and the local store inside it) and serves its status page.
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
  const page = await serveStatusPage(running).catch(async (err: unknown) => {
    await running.stop(1000);
    throw err;
  });
  return {
    running,
    url: page.url,
    dir: cfg.dir,
    logs,
    stop: async () => {
      await page.close();
      await running.stop(1000);
    },
  };
}

// The README example source, hourly (tests trigger runs): status-page tests import it from here.
export { exampleSourceYaml } from './readme-plugin.js';
