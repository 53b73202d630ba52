import { Type, type TSchema } from '@sinclair/typebox';
import { StringEnum } from '../plugin-api/string-enum.js';
import { PlannerSchema } from './planner-schema.js';
import { SIZE_PATTERN } from './size.js';

/**
 * The grammar of {@link parseDuration} as a JSON Schema pattern (`30s`, `5m`, `1h30m`, `500ms`, or
 * a bare number of seconds), so editors check durations too. A test keeps the two in step.
 */
export const DURATION_PATTERN = '^\\s*(\\d+(\\.\\d+)?|(\\d+(\\.\\d+)?(ms|s|m|h|d))+)\\s*$';

/** A source id, also a plugin id: `[a-z0-9][a-z0-9_-]*`. */
export const SOURCE_ID_PATTERN = '^[a-z0-9][a-z0-9_-]*$';

/** pino's levels, for `log.level` and LOG_LEVEL. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** 1 GiB, the default bound of the spool. */
export const DEFAULT_SPOOL_MAX_BYTES = 1024 ** 3;

/** A duration string such as `5m`. */
export function Duration(options: { default?: string; description?: string } = {}): TSchema {
  return Type.String({ pattern: DURATION_PATTERN, format: 'homeiq-duration', ...options });
}


const closed = { additionalProperties: false } as const;

const ServerSchema = Type.Object(
  {
    host: Type.Optional(Type.String({ minLength: 1, default: '0.0.0.0', description: 'Address the health API listens on.' })),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, default: 8010, description: 'Port of the health API; env PORT overrides.' })),
    max_connections: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 65535, default: 512, description: 'Open connections the health API accepts at most (also kept 256 below the open-files limit, ulimit -n).' }),
    ),
  },
  { ...closed, default: {} },
);

const InfluxSchema = Type.Object(
  {
    url: Type.Optional(Type.String({ format: 'uri', description: 'e.g. http://influxdb:8086' })),
    api: Type.Optional(StringEnum(['v1', 'v2'] as const, { default: 'v2', description: 'v2: InfluxDB 2.x/3.x/Cloud and 1.8+ compat; v1: InfluxDB 1.x /write.' })),
    token: Type.Optional(Type.String({ description: 'v2: API token.' })),
    org: Type.Optional(Type.String({ description: 'v2: organisation.' })),
    bucket: Type.Optional(Type.String({ description: 'v2: bucket.' })),
    database: Type.Optional(Type.String({ description: 'v1: database.' })),
    username: Type.Optional(Type.String({ description: 'v1: optional user.' })),
    password: Type.Optional(Type.String({ description: 'v1: optional password.' })),
    retention_policy: Type.Optional(Type.String({ description: 'v1: optional retention policy.' })),
    precision: Type.Optional(StringEnum(['ns', 'us', 'ms', 's'] as const, { description: 'Write precision; default s.' })),
    timeout: Type.Optional(Duration({ description: 'Request timeout, e.g. 10s.' })),
  },
  closed,
);

const StorageSchema = Type.Object(
  {
    influxdb: Type.Optional(InfluxSchema),
    spool_dir: Type.Optional(Type.String({ minLength: 1, default: 'data/spool', description: 'Durable outage buffer.' })),
    local_dir: Type.Optional(Type.String({ minLength: 1, default: 'data/points', description: 'Embedded local store (line protocol by day).' })),
    local_retention: Type.Optional(Duration({ default: '90d', description: 'Embedded local store: day files older than this are deleted.' })),
    spool_max_bytes: Type.Optional(
      Type.Unsafe<number | string>({
        type: ['integer', 'string'],
        minimum: 1,
        pattern: SIZE_PATTERN,
        default: DEFAULT_SPOOL_MAX_BYTES,
        description: 'Spool bound: bytes, or a size like 1GiB or 500MB.',
      }),
    ),
    batch_size: Type.Optional(Type.Integer({ minimum: 1, default: 5000, description: 'Points per write.' })),
    flush_interval: Type.Optional(Duration({ default: '1s', description: 'How often buffered points are written.' })),
  },
  { ...closed, default: {} },
);

const LogSchema = Type.Object(
  { level: Type.Optional(StringEnum(LOG_LEVELS, { default: 'info', description: 'pino level; env LOG_LEVEL overrides.' })) },
  { ...closed, default: {} },
);

/** A topic level of our own: MQTT wildcards and Home Assistant's illegal discovery characters kept out. */
export const TOPIC_LEVELS_PATTERN = '^[a-zA-Z0-9_-]+(/[a-zA-Z0-9_-]+)*$';

/** A broker URL: mqtt:// or mqtts://, a host and optional port, no path. */
export const MQTT_URL_PATTERN = '^mqtts?://[^/?#\\s]+/?$';

/** `mqtt`: Home Assistant over MQTT discovery (CONTRACT §7); off when absent. */
const MqttSchema = Type.Object(
  {
    url: Type.String({ pattern: MQTT_URL_PATTERN, description: 'Broker, e.g. mqtt://192.168.1.10:1883 or mqtts://broker:8883.' }),
    username: Type.Optional(Type.String({ minLength: 1, description: 'Optional broker login.' })),
    password: Type.Optional(Type.String({ description: 'Optional broker password (with username).' })),
    discovery_prefix: Type.Optional(Type.String({ pattern: TOPIC_LEVELS_PATTERN, default: 'homeassistant', description: "Home Assistant's discovery prefix." })),
    base_topic: Type.Optional(Type.String({ pattern: TOPIC_LEVELS_PATTERN, default: 'homeiq', description: 'Topics of states and availability: <base_topic>/status, <base_topic>/<source>/…' })),
  },
  { ...closed, dependencies: { password: ['username'] } },
);

/** A Redis URL: redis:// or rediss:// (TLS), an optional login, a host and port, an optional database number. */
export const REDIS_URL_PATTERN = '^rediss?://[^/?#\\s]+(/\\d+)?/?$';

/** A Redis key part or host id of our own: letters, digits, `.`, `_` and `-`. */
export const NAME_PATTERN = '^[a-zA-Z0-9._-]+$';

/** `scheduler`: where runs are planned; `local` (the default) keeps today's in-process scheduler. */
const SchedulerSchema = Type.Object(
  {
    type: Type.Optional(StringEnum(['local', 'redis'] as const, { default: 'local', description: 'local: this host runs every source; redis: hosts share the sources through BullMQ on Redis.' })),
    url: Type.Optional(Type.String({ pattern: REDIS_URL_PATTERN, description: 'redis: the server, e.g. redis://redis:6379 or rediss://host:6380.' })),
    username: Type.Optional(Type.String({ minLength: 1, description: 'redis: optional ACL user.' })),
    password: Type.Optional(Type.String({ description: 'redis: optional password.' })),
    prefix: Type.Optional(Type.String({ pattern: NAME_PATTERN, description: 'redis: prefix of every key, default homeiq (one per deployment sharing a Redis).' })),
    host_id: Type.Optional(Type.String({ pattern: NAME_PATTERN, maxLength: 100, description: "redis: this host's name in health, default its hostname." })),
  },
  { ...closed, default: {} },
);

/** One entry under `sources`. The plugin's own schema checks `options` once the plugin is loaded. */
export const SourceSchema = Type.Object(
  {
    plugin: Type.String({ minLength: 1, description: 'Built-in plugin id, path to a plugin module or folder, or npm package name.' }),
    enabled: Type.Optional(Type.Boolean({ default: true, description: 'false pauses the source.' })),
    schedule: Type.Optional(Type.String({ minLength: 1, description: 'node-cron expression, seconds field allowed; or use interval.' })),
    interval: Type.Optional(Duration({ description: 'e.g. 30s, 5m, 1h; or use schedule.' })),
    credentials: Type.Optional(Type.Record(Type.String(), Type.String(), { default: {}, description: 'Credential values, usually ${VAR}.' })),
    options: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { default: {}, description: "The plugin's options." })),
  },
  closed,
);

/** The whole config file, with the defaults of CONTRACT §2 and its extensions. */
export const HostConfigSchema = Type.Object(
  {
    server: Type.Optional(ServerSchema),
    log: Type.Optional(LogSchema),
    storage: Type.Optional(StorageSchema),
    mqtt: Type.Optional(MqttSchema),
    scheduler: Type.Optional(SchedulerSchema),
    sources: Type.Optional(Type.Record(Type.String(), SourceSchema, { default: {} })),
    planner: Type.Optional(PlannerSchema),
  },
  closed,
);
