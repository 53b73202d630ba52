import { ORIGIN_NAME, type Topics } from './discovery.js';

/**
 * Start-up clean-up: the retained messages this host left on the broker in an earlier life
 * (configs recognised by their origin and host availability topic, states under the base topic),
 * collected for a moment after the first connection, each with the source it belongs to. Those of
 * sources that no longer exist (removed or renamed while the host was down) are then deleted.
 */
export class LeftoverSweep {
  /** Topic → the source id it belongs to. */
  private readonly seen = new Map<string, string>();

  constructor(private readonly topics: Topics) {}

  get subscriptions(): string[] {
    return [`${this.topics.prefix}/+/+/config`, `${this.topics.base}/+/#`];
  }

  collect(topic: string, payload: string): void {
    const source = payload === '' ? null : this.sourceOf(topic, payload);
    if (source === null) this.seen.delete(topic);
    else this.seen.set(topic, source);
  }

  /** The collected topics whose source `keep` does not keep. */
  leftovers(keep: (sourceId: string, topic: string) => boolean): string[] {
    return [...this.seen].filter(([topic, source]) => !keep(source, topic)).map(([topic]) => topic);
  }

  private sourceOf(topic: string, payload: string): string | null {
    const { prefix, base, hostStatus } = this.topics;
    if (topic.startsWith(`${prefix}/`) && topic.endsWith('/config')) {
      let config: { origin?: { name?: unknown }; availability?: { topic?: unknown }[]; device?: { identifiers?: unknown[] } };
      try {
        config = JSON.parse(payload) as typeof config;
      } catch {
        return null; // not ours: ours are JSON
      }
      const ours = config?.origin?.name === ORIGIN_NAME && config.availability?.[0]?.topic === hostStatus;
      const device = config?.device?.identifiers?.[0];
      return ours && typeof device === 'string' && device.startsWith('homeiq_') ? device.slice('homeiq_'.length) : null;
    }
    if (topic === hostStatus || !topic.startsWith(`${base}/`)) return null;
    const levels = topic.slice(base.length + 1).split('/');
    return levels.length > 1 ? levels[0]! : null;
  }
}
