import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { DestinationStream, Logger } from 'pino';
import { loadConfig, type LoadedConfig } from './config/load.js';
import { buildContainer, resolve } from './container.js';
import { createApp } from './http/app.js';
import { listen } from './http/server.js';
import { plannerRoutes } from './http/planner-routes.js';
import { statusPageRoutes } from './http/status-page.js';
import { createLogger } from './logging/logger.js';
import { isSecretField, Redactor } from './logging/redactor.js';
import { PlannerEntities } from './mqtt/planner-entities.js';
import { ConfigReloader } from './runtime/config-reloader.js';
import type { Host } from './runtime/host.js';
import { prepareSources } from './runtime/source-set.js';
import type { Storage } from './storage/storage.js';
import { TOKENS } from './tokens.js';
import { VERSION } from './version.js';

export interface StartOptions {
  configFile: string;
  env?: NodeJS.ProcessEnv;
  /** Where log lines go (tests capture them). */
  logDestination?: DestinationStream;
  /** Overrides the config's port (0 = any free port). */
  port?: number;
  /** Watch the config file for changes (default true). */
  watch?: boolean;
  /** HTTP retry backoff base (tests shorten it). */
  backoffBaseMs?: number;
  /** Called with the number of sources once the config is read, before any source starts. */
  onConfigLoaded?: (sources: number) => void;
  /**
   * The redactor to fill with the config's secrets (a new one by default): the caller can redact
   * what it prints itself, when the start fails (`homeiq start` does).
   */
  redactor?: Redactor;
}

export interface RunningHost {
  host: Host;
  storage: Storage;
  logger: Logger;
  server: Server;
  url: string;
  reloader: ConfigReloader;
  /** Stops schedules, waits for runs in flight, flushes storage, closes the server. */
  stop(graceMs?: number): Promise<void>;
}

/** Registers every secret the config holds with the redactor, before anything logs. */
export function registerSecrets(redactor: Redactor, loaded: LoadedConfig): void {
  const influx = loaded.config.storage.influxdb;
  redactor.add(influx?.token);
  redactor.add(influx?.password);
  if (influx?.username && influx.password) redactor.addBasicAuth(influx.username, influx.password);
  if (influx) redactor.addUrl(influx.url);
  const mqtt = loaded.config.mqtt;
  redactor.add(mqtt?.password);
  if (mqtt) redactor.addUrl(mqtt.url);
  if (mqtt?.username && mqtt.password) redactor.addBasicAuth(mqtt.username, mqtt.password);
  const scheduler = loaded.config.scheduler;
  if (scheduler.type === 'redis') {
    redactor.add(scheduler.password);
    redactor.addUrl(scheduler.url);
    if (scheduler.username && scheduler.password) redactor.addBasicAuth(scheduler.username, scheduler.password);
  }
  for (const source of Object.values(loaded.config.sources)) {
    for (const [field, value] of Object.entries(source.credentials)) if (isSecretField(field)) redactor.add(value);
    // A password in any address (`base_url: https://user:pass@proxy`), not only in write-only options.
    for (const value of Object.values(source.options)) if (typeof value === 'string') redactor.addUrl(value);
  }
}

/**
 * Starts the host: config, storage, sources, HTTP API. Throws ConfigFileError (exit 2) before
 * anything starts when the config file is wrong.
 */
export async function startHost(options: StartOptions): Promise<RunningHost> {
  const env = options.env ?? process.env;
  const file = path.resolve(options.configFile);
  const redactor = options.redactor ?? new Redactor();
  const loaded = await loadConfig(file, env);
  options.onConfigLoaded?.(Object.keys(loaded.config.sources).length);
  registerSecrets(redactor, loaded);
  const logger = createLogger({ level: loaded.config.log.level, redactor, destination: options.logDestination });
  const container = buildContainer({ loaded, logger, redactor, options: { version: VERSION, backoffBaseMs: options.backoffBaseMs } });
  const loader = resolve(container, TOKENS.PluginLoader);
  const prepared = await prepareSources(loaded, loader);
  const storage = resolve(container, TOKENS.Storage);
  const host = resolve(container, TOKENS.Host);
  const metrics = resolve(container, TOKENS.Metrics);
  const planner = resolve(container, TOKENS.Planner);
  metrics.attach(host);
  const homeAssistant = container.isBound(TOKENS.HomeAssistant) ? resolve(container, TOKENS.HomeAssistant) : null;
  homeAssistant?.attach(host);
  await storage.start();
  await host.apply(prepared);
  // With a shared scheduler: runs are taken from Redis from now on.
  host.startShared();
  // After the first apply: the sources are known when the first connection sweeps leftovers.
  homeAssistant?.start();
  // The planner's tasks as Home Assistant devices, when both are configured.
  const plannerEntities = homeAssistant && planner.enabled ? new PlannerEntities(planner, homeAssistant) : null;
  /** Schedules stopped, runs in flight given `graceMs` (then abandoned), what was written flushed. */
  const stopSources = async (graceMs: number) => {
    resolve(container, TOKENS.Scheduler).stop();
    planner.stop();
    plannerEntities?.stop();
    await host.stop(graceMs);
    await homeAssistant?.stop();
    await storage.close();
  };
  const routePlanner = plannerRoutes(planner);
  const app = createApp({ host, redactor, logger, metrics, extend: (router) => (routePlanner(router), statusPageRoutes(router)) });
  const port = options.port ?? loaded.config.server.port;
  let server: Server;
  try {
    server = await listen(app, { host: loaded.config.server.host, port, maxConnections: loaded.config.server.max_connections });
  } catch (err) {
    // The port is taken (or not ours to use): the sources started stop at once, before the caller reports it.
    await stopSources(0);
    throw err;
  }
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  const onReload = (next: LoadedConfig) => {
    registerSecrets(redactor, next);
    planner.configure(next.config.planner);
    plannerEntities?.refresh();
  };
  const reloader = new ConfigReloader(file, host, loader, logger, env, onReload, loaded);
  if (options.watch !== false) reloader.start();
  planner.start();
  plannerEntities?.start();
  host.onStandbyCheck = () => reloader.recheck('looking for credentials of sources in standby');
  const shared = container.isBound(TOKENS.SharedRuns) ? resolve(container, TOKENS.SharedRuns) : null;
  if (shared) shared.onConfigChanged = () => reloader.recheck('the shared scheduler names a change of the sources');
  logger.info({ url, config: file, sources: host.sourceIds.length, storage: storage.type }, 'HomeIQ Sources is running');
  let stopping: Promise<void> | null = null;
  const stop = (graceMs = 10_000) =>
    (stopping ??= (async () => {
      reloader.stop();
      await stopSources(graceMs);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      logger.info('stopped');
      logger.flush?.();
    })());
  return { host, storage, logger, server, url, reloader, stop };
}
