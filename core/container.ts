import 'reflect-metadata';
import { Container } from 'inversify';
import type { Logger } from 'pino';
import { BUILTIN_PLUGINS } from './builtin-plugins.js';
import type { LoadedConfig } from './config/load.js';
import type { Redactor } from './logging/redactor.js';
import { Host } from './runtime/host.js';
import { HostMetrics } from './runtime/metrics.js';
import { PluginLoader } from './runtime/plugin-loader.js';
import { Scheduler } from './runtime/scheduler.js';
import { createStorage } from './storage/index.js';
import type { Storage } from './storage/storage.js';
import { TOKENS, type HostOptions, type Token } from './tokens.js';

export interface ContainerParts {
  loaded: LoadedConfig;
  logger: Logger;
  redactor: Redactor;
  options: HostOptions;
  /** Replaces the storage the config names (tests, `homeiq once`). */
  storage?: Storage;
}

/** The composition root: the only place that knows how the services fit together. */
export function buildContainer(parts: ContainerParts): Container {
  const c = new Container();
  c.bind(TOKENS.Config).toConstantValue(parts.loaded);
  c.bind(TOKENS.Logger).toConstantValue(parts.logger);
  c.bind(TOKENS.Redactor).toConstantValue(parts.redactor);
  c.bind(TOKENS.HostOptions).toConstantValue(parts.options);
  c.bind(TOKENS.Storage).toConstantValue(
    parts.storage ?? createStorage(parts.loaded.config.storage, parts.logger.child({ component: 'storage' })),
  );
  c.bind(TOKENS.Scheduler).toConstantValue(new Scheduler());
  c.bind(TOKENS.PluginLoader).toConstantValue(new PluginLoader(BUILTIN_PLUGINS));
  c.bind(TOKENS.Metrics).toConstantValue(new HostMetrics());
  c.bind(TOKENS.Host).to(Host).inSingletonScope();
  return c;
}

/** Resolves a typed token. */
export function resolve<T>(container: Container, token: Token<T>): T {
  return container.get<T>(token);
}
