import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { MqttConfig } from '../config/types.js';
import type { Host } from '../runtime/host.js';
import type { HealthBlocks, Publisher } from '../runtime/publisher.js';
import { BrokerLink } from './broker-link.js';
import {
  discoveryProblem,
  PROBLEM_KEY,
  problemState,
  sourceAvailability,
  STATUS_KEY,
  statusAttributes,
  statusDiscoveries,
  Topics,
  valueDiscovery,
  type SourceContext,
} from './discovery.js';
import { entityValues, slug, type EntityValue } from './entity-values.js';
import { LeftoverSweep } from './leftovers.js';

/** How long the retained messages of an earlier life are collected after the first connection. */
const SWEEP_MS = 2000;
/** After Home Assistant's birth the states follow within this window (jittered: many hosts, one HA). */
const BIRTH_DELAY_MS = [2000, 5000] as const;

export interface HomeAssistantOptions {
  config: MqttConfig;
  logger: Logger;
  /** Every payload passes it before it leaves (as every HTTP body does). */
  redact: (text: string) => string;
  version: string;
}

/**
 * Home Assistant over MQTT discovery (CONTRACT §7): each source a device, its values entities,
 * plus a status sensor and a problem binary sensor. It learns of sources from the host (after each
 * `Host.apply`) and of their newest points after each run; the publishing happens on a later turn
 * of the event loop and never waits for the broker, so a run is never held up. Removed sources
 * lose their entities at once; those left from an earlier life are swept at the first connection.
 */
export class HomeAssistantPublisher implements Publisher {
  readonly topics: Topics;
  private readonly link: BrokerLink;
  private host: Host | null = null;
  /** Per source, every topic it has on the broker (configs, states, attributes, availability). */
  private readonly owned = new Map<string, Set<string>>();
  /** The host's sources as of the last apply (other owners, such as a planner, are not removed by a reload). */
  private sources = new Set<string>();
  private readonly dirty = new Set<string>();
  private flushing: NodeJS.Immediate | null = null;
  private birthTimer: NodeJS.Timeout | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweep: LeftoverSweep | null;
  /** Entities already reported as invalid: said once, not at every run. */
  private readonly refused = new Set<string>();
  private readonly logger: Logger;

  constructor(private readonly options: HomeAssistantOptions) {
    const { config } = options;
    this.logger = options.logger.child({ component: 'mqtt' });
    this.topics = new Topics(config.discovery_prefix, config.base_topic);
    this.sweep = new LeftoverSweep(this.topics);
    this.link = new BrokerLink(
      {
        url: config.url,
        username: config.username,
        password: config.password,
        // Stable per machine and base topic: a restarted host takes over its own session.
        clientId: `homeiq_${slug(hostname())}_${slug(config.base_topic)}`,
        statusTopic: this.topics.hostStatus,
        subscriptions: [this.topics.birth],
      },
      { connected: (first) => this.connected(first), message: (topic, payload) => this.message(topic, payload) },
      this.logger,
      options.redact,
    );
  }

  /** The host whose sources are published (read after each run and each apply). */
  attach(host: Host): void {
    this.host = host;
  }

  start(): void {
    this.link.start();
  }

  async stop(): Promise<void> {
    for (const timer of [this.birthTimer, this.sweepTimer]) if (timer) clearTimeout(timer);
    if (this.flushing) clearImmediate(this.flushing);
    await this.link.stop();
  }

  runFinished(sourceId: string): void {
    this.markDirty(sourceId);
  }

  sourcesApplied({ running, started }: { running: readonly string[]; started: readonly string[] }): void {
    const keep = new Set(running);
    for (const id of this.sources) if (!keep.has(id)) this.remove(id);
    this.sources = keep;
    for (const id of started) this.markDirty(id);
  }

  healthBlocks(): HealthBlocks {
    return { mqtt: this.link.health() };
  }

  /**
   * Publishes one entity of the host's own, not a source's (the planner's next start): `owner` is
   * its device (`homeiq_<owner>`, model `model`) and groups what `remove(owner)` deletes. Checked
   * against Home Assistant's rules like every entity; call again with a new state to update it.
   */
  publishEntity(owner: string, model: string, entity: EntityValue): void {
    this.put(owner, this.topics.availability(owner), 'online', true);
    this.publishValue({ id: owner, plugin: model, version: this.options.version }, entity);
  }

  /** Deletes every entity and state of `owner` (a source id) from the broker. */
  remove(owner: string): void {
    for (const topic of this.owned.get(owner) ?? []) this.link.clear(topic);
    this.owned.delete(owner);
    this.dirty.delete(owner);
    this.logger.info({ source: owner }, 'mqtt: entities removed');
  }

  private markDirty(id: string): void {
    this.dirty.add(id);
    this.flushing ??= setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushing = null;
    const ids = [...this.dirty];
    this.dirty.clear();
    for (const id of ids) {
      try {
        this.publishSource(id);
      } catch (err) {
        this.logger.error({ source: id, err }, 'mqtt: the source could not be published');
      }
    }
  }

  private publishSource(id: string): void {
    const runner = this.host?.runner(id);
    if (!runner) return;
    const health = runner.health();
    const points = runner.newestPoints;
    const maxAge = runner.settings.maxDataAgeMs;
    const source: SourceContext = { id, plugin: health.plugin, version: this.options.version, ...(maxAge ? { expireAfterSeconds: Math.ceil(maxAge / 1000) } : {}) };
    for (const d of statusDiscoveries(this.topics, source)) this.put(id, d.topic, JSON.stringify(d.payload));
    this.put(id, this.topics.state(id, STATUS_KEY), health.status_detail, true);
    this.put(id, this.topics.attributes(id, STATUS_KEY), JSON.stringify(statusAttributes(health)), true);
    this.put(id, this.topics.state(id, PROBLEM_KEY), problemState(health), true);
    this.put(id, this.topics.availability(id), sourceAvailability(health, points.length > 0), true);
    for (const e of entityValues(points, runner.entities, Date.now())) this.publishValue(source, e);
  }

  /** One value entity, checked against Home Assistant's rules first: an invalid one is logged once and left out. */
  private publishValue(source: SourceContext, e: EntityValue): void {
    const id = source.id;
    const d = valueDiscovery(this.topics, source, e);
    const problem = e.key === STATUS_KEY || e.key === PROBLEM_KEY ? `the key ${e.key} is the source's own status entity` : discoveryProblem(d);
    if (problem) {
      if (!this.refused.has(d.uniqueId)) this.logger.warn({ source: id, entity: e.key, name: e.name }, `mqtt: entity ${e.key} (${e.name}) not published: ${problem}`);
      this.refused.add(d.uniqueId);
      return;
    }
    this.put(id, d.topic, JSON.stringify(d.payload));
    this.put(id, this.topics.state(id, e.key), e.state, true);
    if (e.attributes) this.put(id, this.topics.attributes(id, e.key), JSON.stringify(e.attributes), true);
  }

  /** `force`: sent even when unchanged (a state refreshes `expire_after`); configs only when they change. */
  private put(owner: string, topic: string, payload: string, force = false): void {
    let topics = this.owned.get(owner);
    if (!topics) this.owned.set(owner, (topics = new Set()));
    topics.add(topic);
    this.link.set(topic, this.options.redact(payload), force);
  }

  private connected(first: boolean): void {
    if (!first || !this.sweep) return;
    const sweep = this.sweep;
    this.link.subscribe(sweep.subscriptions);
    this.sweepTimer = setTimeout(() => this.endSweep(sweep), SWEEP_MS);
    this.sweepTimer.unref();
  }

  /**
   * Deletes what the sweep found of sources that no longer exist, and the entities a current source
   * (once it has data) no longer has; then stops reading its own messages.
   */
  private endSweep(sweep: LeftoverSweep): void {
    this.sweep = null;
    this.link.unsubscribe(sweep.subscriptions);
    const keep = (sourceId: string, topic: string) => {
      if (this.owned.get(sourceId)?.has(topic)) return true;
      const runner = this.host?.runner(sourceId);
      return runner !== undefined && runner.newestPoints.length === 0;
    };
    const leftovers = sweep.leftovers(keep);
    for (const topic of leftovers) this.link.clear(topic);
    if (leftovers.length > 0) this.logger.info({ topics: leftovers.length }, 'mqtt: removed entities of sources that no longer exist');
  }

  private message(topic: string, payload: string): void {
    if (topic === this.topics.birth) {
      if (payload === 'online') this.homeAssistantStarted();
      return;
    }
    this.sweep?.collect(topic, payload);
  }

  /** Home Assistant (re)started: every state again, after a jittered delay that lets it read the configs first. */
  private homeAssistantStarted(): void {
    if (this.birthTimer) return;
    const [min, max] = BIRTH_DELAY_MS;
    this.birthTimer = setTimeout(
      () => {
        this.birthTimer = null;
        this.logger.info('mqtt: Home Assistant started; publishing the states again');
        this.link.republish((topic) => !topic.endsWith('/config'));
      },
      min + Math.random() * (max - min),
    );
    this.birthTimer.unref();
  }
}
