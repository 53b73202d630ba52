/** The config file after `${VAR}` substitution and validation (CONTRACT §2). */
export interface HostConfig {
  /** Absolute path of the file it came from. */
  file: string;
  server: { host: string; port: number; max_connections: number };
  /** Extension: `log.level` (LOG_LEVEL overrides). */
  log: { level: string };
  storage: StorageConfig;
  /** Extension (CONTRACT §7): Home Assistant over MQTT; absent = off. */
  mqtt?: MqttConfig;
  /** Extension (issue 22): where runs are planned; `{ type: 'local' }` by default. */
  scheduler: SchedulerConfig;
  sources: Record<string, SourceConfig>;
  /** The planner (CONTRACT §8); absent when the file has no `planner` section. */
  planner?: PlannerConfig;
}

/** `planner`, validated, with its defaults. */
export interface PlannerConfig {
  /** Source id of the carbon signal. */
  carbon?: string;
  /** Source id of the price signal. */
  price?: string;
  /** IANA time zone of clock times. */
  time_zone: string;
  tasks: Record<string, PlannerTask>;
}

/** One entry of `planner.tasks`. */
export interface PlannerTask {
  name: string;
  duration_ms: number;
  /** As written: a clock time resolves anew at each plan. */
  deadline?: string;
  not_before?: string;
  energy_kwh?: number;
  /** Resolved: equal for the configured signals by default, 0 for a signal left out. */
  weights: { carbon: number; price: number };
  contiguous: boolean;
  max_segments: number;
}

/** `mqtt`, with its defaults filled in. */
export interface MqttConfig {
  url: string;
  username?: string;
  password?: string;
  discovery_prefix: string;
  base_topic: string;
}

/** `scheduler`: this host alone, or hosts sharing the sources through BullMQ on Redis. */
export type SchedulerConfig = { type: 'local' } | RedisSchedulerConfig;

/** `scheduler` with `type: redis`, with its defaults filled in. */
export interface RedisSchedulerConfig {
  type: 'redis';
  url: string;
  username?: string;
  password?: string;
  /** Prefix of every Redis key; default `homeiq`. */
  prefix: string;
  /** This host's name among the hosts; default its hostname. */
  host_id: string;
}

export interface InfluxConfig {
  url: string;
  api: 'v1' | 'v2';
  token?: string;
  org?: string;
  bucket?: string;
  database?: string;
  username?: string;
  password?: string;
  retention_policy?: string;
  /** Extension: write precision, default `s`... `ns`|`us`|`ms`|`s`. */
  precision?: 'ns' | 'us' | 'ms' | 's';
  /** Extension: request timeout, e.g. `10s`. */
  timeout?: string;
}

export interface StorageConfig {
  influxdb?: InfluxConfig;
  /** Durable outage buffer; default `data/spool`, relative to the working directory. */
  spool_dir: string;
  /** Extension: where the embedded local store writes its daily line-protocol files; default `data/points`. */
  local_dir: string;
  /** Extension: `local_retention` (default `90d`) in milliseconds. */
  local_retention_ms: number;
  /** Extension: spool bound, e.g. `1GiB`; default 1 GiB. */
  spool_max_bytes: number;
  /** Extension: points per batch; default 5000. */
  batch_size: number;
  /** Extension: `flush_interval` (e.g. `1s`) in milliseconds. */
  flush_interval_ms: number;
}

export interface SourceConfig {
  id: string;
  plugin: string;
  enabled: boolean;
  /** A node-cron expression (seconds field allowed); absent when `interval` or the plugin default applies. */
  schedule?: string;
  /** An interval like `5m`. */
  interval?: string;
  /** Credential values after substitution; a missing or empty one means standby. */
  credentials: Record<string, string>;
  /** Raw options; the plugin's schema validates them once the plugin is loaded. */
  options: Record<string, unknown>;
}

/** One problem in a config file: `file:line: key.path: message`. */
export interface ConfigProblem {
  file: string;
  line?: number;
  /** Dotted key path such as `sources.carbon.options.region` (empty for the whole file). */
  path: string;
  message: string;
}

/**
 * The 1-based line of a key path such as `['sources', 'carbon', 'options', 'region']`; for a path
 * that is not in the file, the line of its nearest ancestor that is. Undefined when unknown.
 */
export type Locate = (path: readonly (string | number)[]) => number | undefined;
