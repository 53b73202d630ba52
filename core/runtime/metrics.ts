import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { HealthReport, Host } from './host.js';
import type { Publisher } from './publisher.js';

const STATUS_VALUE = { healthy: 0, unknown: 0, degraded: 1, error: 2 } as const;

const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Prometheus metrics of the host. Run counts and durations are observed as runs finish; state
 * (failures, tokens, spool) is read from the health report at scrape time, so nothing is kept twice.
 */
export class HostMetrics implements Publisher {
  readonly registry = new Registry();
  private readonly duration: Histogram<'source'>;
  private readonly fetches: Counter<'source' | 'result'>;
  private host: Host | null = null;
  /** The health report of the scrape in progress: read once per scrape, not once per gauge. */
  private scrape: HealthReport | null = null;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'homeiq_' });
    this.duration = new Histogram({
      name: 'homeiq_source_fetch_duration_seconds',
      help: 'Duration of source runs',
      labelNames: ['source'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.fetches = new Counter({ name: 'homeiq_source_fetches_total', help: 'Source runs by result', labelNames: ['source', 'result'], registers });
    const fromHealth = (name: string, help: string, labelNames: string[], fill: (g: Gauge<string>, health: HealthReport) => void) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        collect: function (this: Gauge<string>) {
          this.reset();
          if (self.host) fill(this, (self.scrape ??= self.host.health()));
        },
      });
    const self = this;
    fromHealth('homeiq_source_status', 'Source status: 0 healthy or paused, 1 degraded, 2 error', ['source', 'status_detail'], (g, health) => {
      for (const [id, s] of Object.entries(health.sources)) g.set({ source: id, status_detail: s.status_detail }, STATUS_VALUE[s.status]);
    });
    fromHealth('homeiq_source_consecutive_failures', 'Consecutive failed runs', ['source'], (g, health) => {
      for (const [id, s] of Object.entries(health.sources)) g.set({ source: id }, s.consecutive_failures);
    });
    fromHealth('homeiq_source_token_refreshes', 'Tokens obtained since the source started', ['source'], (g, health) => {
      for (const [id, s] of Object.entries(health.sources)) g.set({ source: id }, s.token_refresh_count);
    });
    fromHealth('homeiq_storage_points_written', 'Points acknowledged by storage since start', [], (g, health) => g.set(health.storage.points_written ?? 0));
    fromHealth('homeiq_storage_spooled_points', 'Points waiting in the durable spool', [], (g, health) => g.set(health.storage.spooled_points));
    fromHealth('homeiq_storage_dropped_points', 'Points dropped (spool full or rejected lines)', [], (g, health) => g.set(health.storage.dropped_points));
    // Home Assistant over MQTT, when the config has it (CONTRACT §7).
    fromHealth('homeiq_mqtt_connected', 'Whether the MQTT broker is connected (1) or not (0)', [], (g, health) => health.mqtt && g.set(health.mqtt.connected ? 1 : 0));
    fromHealth('homeiq_mqtt_published_messages', 'MQTT messages the broker acknowledged since start', [], (g, health) => health.mqtt && g.set(health.mqtt.published));
    fromHealth('homeiq_mqtt_connection_errors', 'Failed MQTT connection attempts since start', [], (g, health) => health.mqtt && g.set(health.mqtt.connection_errors));
    // Hosts sharing the sources (scheduler type redis): this host's view.
    fromHealth('homeiq_scheduler_connected', 'Whether the shared scheduler reaches Redis (1) or not (0)', [], (g, health) => health.scheduler && g.set(health.scheduler.connected ? 1 : 0));
    fromHealth('homeiq_scheduler_runs_taken_over', 'Ticks left by a host that stopped mid-run that this host found and put back in the queue', [], (g, health) => health.scheduler && g.set(health.scheduler.runs_taken_over));
    fromHealth('homeiq_scheduler_hosts', 'Hosts sharing the sources, by state (up, gone, stopped)', ['state'], (g, health) => {
      if (!health.hosts) return;
      for (const state of ['up', 'gone', 'stopped']) g.set({ state }, health.hosts.filter((h) => h.status === state).length);
    });
    fromHealth('homeiq_storage_rejected_points', 'Points the store refused (part of the dropped points)', [], (g, health) => g.set(health.storage.rejected_points ?? 0));
  }

  attach(host: Host): void {
    this.host = host;
  }

  runFinished(sourceId: string, outcome: 'success' | 'failure' | 'skipped', seconds: number): void {
    this.fetches.inc({ source: sourceId, result: outcome });
    if (outcome !== 'skipped') this.duration.observe({ source: sourceId }, seconds);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  async render(): Promise<string> {
    this.scrape = null;
    try {
      return await this.registry.metrics();
    } finally {
      this.scrape = null;
    }
  }
}
