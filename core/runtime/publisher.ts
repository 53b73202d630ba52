import type { MqttHealth } from '../mqtt/broker-link.js';
import type { RunObserver } from './source-runner.js';
import type { HostEntry, SchedulerHealth } from './shared-health.js';

/** Top-level blocks of `/health` that publishers add (CONTRACT §7: `mqtt`), and a shared scheduler's. */
export interface HealthBlocks {
  mqtt?: MqttHealth;
  scheduler?: SchedulerHealth;
  hosts?: HostEntry[];
}

/**
 * Receives what each source's run produced. The host's Prometheus metrics are the first
 * publisher; Home Assistant over MQTT (core/mqtt/) the second. The composition root binds every
 * publisher (a multi-binding), and the host hands each run's outcome to all of them.
 */
export interface Publisher extends RunObserver {
  /** After each `Host.apply` (start and every reload): the ids of the sources now running and of those stopped. */
  sourcesApplied?(change: { running: readonly string[]; started: readonly string[]; stopped: readonly string[] }): void;
  /** Its blocks of `/health` (such as `mqtt`), read with each report. */
  healthBlocks?(): HealthBlocks;
}

/** One observer for a runner that passes each run on to every publisher (none: nothing to do). */
export function toEveryPublisher(publishers: readonly Publisher[]): RunObserver | undefined {
  if (publishers.length === 0) return undefined;
  if (publishers.length === 1) return publishers[0];
  return {
    runFinished: (sourceId, outcome, seconds, points) => {
      for (const publisher of publishers) publisher.runFinished(sourceId, outcome, seconds, points);
    },
  };
}
