import type { RunObserver } from './source-runner.js';

/**
 * Receives what each source's run produced. The host's Prometheus metrics are the first
 * publisher; Home Assistant over MQTT comes next. The composition root binds every publisher
 * (a multi-binding), and the host hands each run's outcome to all of them.
 */
export type Publisher = RunObserver;

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
