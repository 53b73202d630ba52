import type { Logger } from 'pino';
import type { HomeAssistantPublisher } from './mqtt/home-assistant.js';
import type { LoadedConfig } from './config/load.js';
import type { Redactor } from './logging/redactor.js';
import type { Host, HostOptions } from './runtime/host.js';
import type { HostMetrics } from './runtime/metrics.js';
import type { PlannerService } from './planner/planner-service.js';
import type { PluginLoader } from './runtime/plugin-loader.js';
import type { Publisher } from './runtime/publisher.js';
import type { Scheduler } from './runtime/scheduler.js';
import type { SharedRuns } from './runtime/shared-runs.js';
import type { Storage } from './storage/storage.js';

/** A typed inversify token: the symbol carries the type it resolves to. */
export type Token<T> = symbol & { readonly __type?: T };
const token = <T>(name: string): Token<T> => Symbol.for(`homeiq.${name}`) as Token<T>;

/** Every injection token of the host, in one place. Only the composition root (container.ts, main.ts) uses them. */
export const TOKENS = {
  Config: token<LoadedConfig>('Config'),
  Logger: token<Logger>('Logger'),
  Redactor: token<Redactor>('Redactor'),
  Storage: token<Storage>('Storage'),
  Scheduler: token<Scheduler>('Scheduler'),
  PluginLoader: token<PluginLoader>('PluginLoader'),
  Metrics: token<HostMetrics>('Metrics'),
  /** Bound only when the config has an `mqtt` section. */
  HomeAssistant: token<HomeAssistantPublisher>('HomeAssistant'),
  /** Multi-bound: every publisher receives every run's outcome. */
  Publisher: token<Publisher>('Publisher'),
  Host: token<Host>('Host'),
  /** The planner (CONTRACT §8); a publisher too: it plans again after a signal source's run. */
  Planner: token<PlannerService>('Planner'),
  HostOptions: token<HostOptions>('HostOptions'),
  /** Bound only with `scheduler.type: redis`: the sources shared by several hosts through BullMQ. */
  SharedRuns: token<SharedRuns>('SharedRuns'),
} as const;
