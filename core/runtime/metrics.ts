import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { HealthReport, Host } from './host.js';
import type { RunObserver } from './source-runner.js';

const STATUS_VALUE = { healthy: 0, unknown: 0, degraded: 1, error: 2 } as const;

const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

interface Sample {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * `homeiq_source_fetch_duration_seconds`, a histogram by source, as prom-client renders one, kept in
 * one Float64Array (a slot of buckets, count and sum per source: 96 bytes). prom-client's Histogram
 * keeps an object of bucket counts per label set (its numeric keys make it about 1 KB per source,
 * 10 MB for 10,000 sources: test/bench/scale.ts).
 */
class SourceDurations {
  readonly name = 'homeiq_source_fetch_duration_seconds';
  readonly help = 'Duration of source runs';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly slots = new Map<string, number>();
  private data = new Float64Array(64 * (DURATION_BUCKETS.length + 2));
  private static readonly WIDTH = DURATION_BUCKETS.length + 2;

  observe(source: string, seconds: number): void {
    const w = SourceDurations.WIDTH;
    let slot = this.slots.get(source);
    if (slot === undefined) {
      slot = this.slots.size;
      this.slots.set(source, slot);
      if ((slot + 1) * w > this.data.length) {
        const grown = new Float64Array(this.data.length * 2);
        grown.set(this.data);
        this.data = grown;
      }
    }
    const base = slot * w;
    for (let i = 0; i < DURATION_BUCKETS.length; i++) if (seconds <= DURATION_BUCKETS[i]!) this.data[base + i]! += 1;
    this.data[base + w - 2]! += 1;
    this.data[base + w - 1]! += seconds;
  }

  /** What prom-client's registry renders (the shape of its own metrics' `get()`). */
  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Sample[] }> {
    const w = SourceDurations.WIDTH;
    const values: Sample[] = [];
    for (const [source, slot] of this.slots) {
      const base = slot * w;
      DURATION_BUCKETS.forEach((le, i) => values.push({ metricName: `${this.name}_bucket`, labels: { le, source }, value: this.data[base + i]! }));
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', source }, value: this.data[base + w - 2]! });
      values.push({ metricName: `${this.name}_sum`, labels: { source }, value: this.data[base + w - 1]! });
      values.push({ metricName: `${this.name}_count`, labels: { source }, value: this.data[base + w - 2]! });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  reset(): void {
    this.slots.clear();
    this.data.fill(0);
  }
}

/**
 * Prometheus metrics of the host. Run counts and durations are observed as runs finish; state
 * (failures, tokens, spool) is read from the health report at scrape time, so nothing is kept twice.
 */
export class HostMetrics implements RunObserver {
  readonly registry = new Registry();
  private readonly duration = new SourceDurations();
  private readonly fetches: Counter<'source' | 'result'>;
  private host: Host | null = null;
  /** The health report of the scrape in progress: read once per scrape, not once per gauge. */
  private scrape: HealthReport | null = null;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'homeiq_' });
    this.registry.registerMetric(this.duration as never);
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
  }

  attach(host: Host): void {
    this.host = host;
  }

  runFinished(sourceId: string, outcome: 'success' | 'failure' | 'skipped', seconds: number): void {
    this.fetches.inc({ source: sourceId, result: outcome });
    if (outcome !== 'skipped') this.duration.observe(sourceId, seconds);
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
