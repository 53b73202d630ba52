import 'reflect-metadata';
import { Container, type ResolutionContext } from 'inversify';
import type { Logger } from 'pino';
import { BUILTIN_PLUGINS } from './builtin-plugins.js';
import type { LoadedConfig } from './config/load.js';
import type { Redactor } from './logging/redactor.js';
import { PlannerService } from './planner/planner-service.js';
import { Host, type HostOptions } from './runtime/host.js';
import { HomeAssistantPublisher } from './mqtt/home-assistant.js';
import { HostMetrics } from './runtime/metrics.js';
import { PluginLoader } from './runtime/plugin-loader.js';
import type { Publisher } from './runtime/publisher.js';
import { LocalScheduler } from './runtime/scheduler.js';
import { SharedRuns } from './runtime/shared-runs.js';
import { createStorage } from './storage/index.js';
import type { Storage } from './storage/storage.js';
import { TOKENS, type Token } from './tokens.js';

export interface ContainerParts {
  loaded: LoadedConfig;
  logger: Logger;
  redactor: Redactor;
  options: HostOptions;
  /** Replaces the storage the config names (tests, `homeiq once`). */
  storage?: Storage;
}

/**
 * The composition root: the only place that knows how the services fit together. The classes
 * below it take plain constructor parameters (each can be built by hand in a test); the bindings
 * here choose the implementations the config asks for.
 */
export function buildContainer(parts: ContainerParts): Container {
  const c = new Container({ defaultScope: 'Singleton' });
  c.bind(TOKENS.Config).toConstantValue(parts.loaded);
  c.bind(TOKENS.Logger).toConstantValue(parts.logger);
  c.bind(TOKENS.Redactor).toConstantValue(parts.redactor);
  c.bind(TOKENS.HostOptions).toConstantValue(parts.options);
  // InfluxDB v1, v2 or the local store, as `storage` in the config says.
  c.bind(TOKENS.Storage).toDynamicValue((ctx) => {
    if (parts.storage) return parts.storage;
    const redactor = get(ctx, TOKENS.Redactor);
    const logger = get(ctx, TOKENS.Logger).child({ component: 'storage' });
    return createStorage(get(ctx, TOKENS.Config).config.storage, logger, (text, max) => redactor.brief(text, max));
  });
  c.bind(TOKENS.Scheduler).toDynamicValue(() => new LocalScheduler());
  c.bind(TOKENS.PluginLoader).toDynamicValue(() => new PluginLoader(BUILTIN_PLUGINS));
  c.bind(TOKENS.Metrics).toDynamicValue(() => new HostMetrics());
  // Publishers: one line each.
  c.bind(TOKENS.Publisher).toService(TOKENS.Metrics);
  // The planner reads the signal sources' newest points from the host, which it is a publisher of:
  // the host is looked up when a plan is made, not when the planner is built.
  c.bind(TOKENS.Planner).toDynamicValue(
    (ctx) =>
      new PlannerService(
        get(ctx, TOKENS.Config).config.planner,
        (id) => resolve(c, TOKENS.Host).runner(id)?.newestPoints ?? [],
        get(ctx, TOKENS.Logger).child({ component: 'planner' }),
      ),
  );
  c.bind(TOKENS.Publisher).toService(TOKENS.Planner);
  const mqtt = parts.loaded.config.mqtt;
  if (mqtt) {
    c.bind(TOKENS.HomeAssistant).toDynamicValue(
      (ctx) =>
        new HomeAssistantPublisher({
          config: mqtt,
          logger: get(ctx, TOKENS.Logger),
          redact: (text) => get(ctx, TOKENS.Redactor).redact(text),
          version: get(ctx, TOKENS.HostOptions).version,
        }),
    );
    c.bind(TOKENS.Publisher).toService(TOKENS.HomeAssistant);
  }
  // Hosts sharing the sources through BullMQ on Redis, when the config says so.
  const scheduler = parts.loaded.config.scheduler;
  if (scheduler.type === 'redis') {
    c.bind(TOKENS.SharedRuns).toDynamicValue(
      (ctx) =>
        new SharedRuns({
          config: scheduler,
          logger: get(ctx, TOKENS.Logger).child({ component: 'scheduler' }),
          redact: (text) => get(ctx, TOKENS.Redactor).redact(text),
          version: get(ctx, TOKENS.HostOptions).version,
        }),
    );
  }
  c.bind(TOKENS.Host).toDynamicValue(
    (ctx) =>
      new Host(
        get(ctx, TOKENS.Storage),
        get(ctx, TOKENS.Scheduler),
        get(ctx, TOKENS.Logger),
        get(ctx, TOKENS.Redactor),
        get(ctx, TOKENS.HostOptions),
        ctx.getAll<Publisher>(TOKENS.Publisher),
        c.isBound(TOKENS.SharedRuns) ? get(ctx, TOKENS.SharedRuns) : null,
      ),
  );
  return c;
}

function get<T>(ctx: ResolutionContext, token: Token<T>): T {
  return ctx.get<T>(token);
}

/** Resolves a typed token. */
export function resolve<T>(container: Container, token: Token<T>): T {
  return container.get<T>(token);
}
