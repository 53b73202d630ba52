import type { Logger } from 'pino';
import type { LoadedConfig } from './config/load.js';
import type { Redactor } from './logging/redactor.js';
import type { Host } from './runtime/host.js';
import type { HostMetrics } from './runtime/metrics.js';
import type { PluginLoader } from './runtime/plugin-loader.js';
import type { Scheduler } from './runtime/scheduler.js';
import type { Storage } from './storage/storage.js';

/** A typed inversify token: the symbol carries the type it resolves to. */
export type Token<T> = symbol & { readonly __type?: T };
const token = <T>(name: string): Token<T> => Symbol.for(`homeiq.${name}`) as Token<T>;

/** Every injection token of the host, in one place. */
export const TOKENS = {
  Config: token<LoadedConfig>('Config'),
  Logger: token<Logger>('Logger'),
  Redactor: token<Redactor>('Redactor'),
  Storage: token<Storage>('Storage'),
  Scheduler: token<Scheduler>('Scheduler'),
  PluginLoader: token<PluginLoader>('PluginLoader'),
  Metrics: token<HostMetrics>('Metrics'),
  Host: token<Host>('Host'),
  HostOptions: token<HostOptions>('HostOptions'),
} as const;

/** Settings of the host that are not services. */
export interface HostOptions {
  version: string;
  now?: () => number;
  /** Backoff base for HTTP retries within a run (tests shorten it). */
  backoffBaseMs?: number;
}
