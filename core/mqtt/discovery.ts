import type { SourceHealth } from '../runtime/source-state.js';
import { entityRuleProblem } from './ha-rules.js';
import { slug, type EntityValue } from './entity-values.js';

/** Names the configs this host publishes: start-up clean-up recognises its own by it. */
export const ORIGIN_NAME = 'HomeIQ Sources';

/** The topics of one host: `<prefix>/<component>/<unique_id>/config`, `<base>/status`, `<base>/<source>/…`. */
export class Topics {
  constructor(
    readonly prefix: string,
    readonly base: string,
  ) {}

  get hostStatus(): string {
    return `${this.base}/status`;
  }

  get birth(): string {
    return `${this.prefix}/status`;
  }

  config(component: string, uniqueId: string): string {
    return `${this.prefix}/${component}/${uniqueId}/config`;
  }

  availability(sourceId: string): string {
    return `${this.base}/${sourceId}/availability`;
  }

  state(sourceId: string, key: string): string {
    return `${this.base}/${sourceId}/${key}/state`;
  }

  attributes(sourceId: string, key: string): string {
    return `${this.base}/${sourceId}/${key}/attributes`;
  }
}

/** What every discovery payload of one source shares. */
export interface SourceContext {
  id: string;
  plugin: string;
  version: string;
  /** `expire_after` of its value entities, from the source's freshness (`max_data_age`); none without one. */
  expireAfterSeconds?: number;
}

/** One entity's discovery config and where it goes. */
export interface Discovery {
  component: 'sensor' | 'binary_sensor';
  uniqueId: string;
  key: string;
  topic: string;
  payload: Record<string, unknown>;
}

/** `homeiq_<source>_<key>`: stable across restarts (the source id and the declared key). */
export function uniqueId(sourceId: string, key: string): string {
  return `homeiq_${sourceId}_${key}`;
}

function common(topics: Topics, source: SourceContext, component: Discovery['component'], key: string, name: string) {
  const id = uniqueId(source.id, key);
  const objectId = slug(id);
  return {
    id,
    payload: {
      name,
      unique_id: id,
      default_entity_id: `${component}.${objectId}`,
      // Home Assistant before 2025.10 reads object_id; later versions default_entity_id.
      object_id: objectId,
      state_topic: topics.state(source.id, key),
      device: { identifiers: [`homeiq_${source.id}`], name: source.id, manufacturer: 'HomeIQ', model: source.plugin, sw_version: source.version },
      origin: { name: ORIGIN_NAME, sw_version: source.version },
    },
  };
}

/** A value sensor: unavailable when the host is down or the source has no data (`availability_mode: all`). */
export function valueDiscovery(topics: Topics, source: SourceContext, e: EntityValue): Discovery {
  const component = e.component ?? 'sensor';
  const { id, payload } = common(topics, source, component, e.key, e.name);
  const binary = component === 'binary_sensor';
  const config: Record<string, unknown> = {
    ...payload,
    ...(e.attributes ? { json_attributes_topic: topics.attributes(source.id, e.key) } : {}),
    ...(binary ? { payload_on: 'ON', payload_off: 'OFF' } : {}),
    ...(e.unit !== undefined && !binary ? { unit_of_measurement: e.unit } : {}),
    ...(e.device_class ? { device_class: e.device_class } : {}),
    ...(e.state_class && !binary ? { state_class: e.state_class } : {}),
    ...(e.icon ? { icon: e.icon } : {}),
    ...(e.suggested_display_precision !== undefined ? { suggested_display_precision: e.suggested_display_precision } : {}),
    ...(source.expireAfterSeconds ? { expire_after: source.expireAfterSeconds } : {}),
    availability: [{ topic: topics.hostStatus }, { topic: topics.availability(source.id) }],
    availability_mode: 'all',
  };
  return { component, uniqueId: id, key: e.key, topic: topics.config(component, id), payload: config };
}

/** The keys of the two entities every source has; a declared entity with one of them is skipped. */
export const STATUS_KEY = 'status';
export const PROBLEM_KEY = 'problem';

/** The status sensor (state: `status_detail`) and the problem binary sensor: available whenever the host is. */
export function statusDiscoveries(topics: Topics, source: SourceContext): Discovery[] {
  const availability = [{ topic: topics.hostStatus }];
  const status = common(topics, source, 'sensor', STATUS_KEY, 'Status');
  const problem = common(topics, source, 'binary_sensor', PROBLEM_KEY, 'Problem');
  return [
    {
      component: 'sensor',
      uniqueId: status.id,
      key: STATUS_KEY,
      topic: topics.config('sensor', status.id),
      payload: { ...status.payload, json_attributes_topic: topics.attributes(source.id, STATUS_KEY), icon: 'mdi:list-status', entity_category: 'diagnostic', availability },
    },
    {
      component: 'binary_sensor',
      uniqueId: problem.id,
      key: PROBLEM_KEY,
      topic: topics.config('binary_sensor', problem.id),
      payload: { ...problem.payload, device_class: 'problem', payload_on: 'ON', payload_off: 'OFF', entity_category: 'diagnostic', availability },
    },
  ];
}

/** The binary sensor device classes the host publishes (Home Assistant has more). */
const BINARY_SENSOR_CLASSES = new Set(['running', 'problem']);

/** What Home Assistant would reject in a value sensor's config; null when it is valid. */
export function discoveryProblem(d: Discovery): string | null {
  const p = d.payload as { unit_of_measurement?: string; device_class?: string; state_class?: 'measurement' };
  if (d.component === 'binary_sensor') {
    return p.device_class === undefined || BINARY_SENSOR_CLASSES.has(p.device_class) ? null : `device class ${p.device_class} is not one this host uses for a binary sensor`;
  }
  return entityRuleProblem({ unit: p.unit_of_measurement, device_class: p.device_class, state_class: p.state_class });
}

/** The status entity's attributes: the health fields a user reads, none that could hold a secret beyond the redacted error. */
export function statusAttributes(h: SourceHealth): Record<string, unknown> {
  return {
    plugin: h.plugin,
    status: h.status,
    status_detail: h.status_detail,
    credentials_configured: h.credentials_configured,
    last_successful_fetch: h.last_successful_fetch,
    consecutive_failures: h.consecutive_failures,
    last_error: h.last_error?.message ?? null,
    last_error_at: h.last_error?.at ?? null,
    last_written: h.last_written,
    next_run: h.next_run,
    newest_point: h.newest_point,
    points_last_run: h.points_last_run,
    hint: h.hint,
  };
}

/** Details where the source's values are not to be shown: standby, paused, refused. */
const WITHOUT_VALUES = new Set(['credentials_missing', 'credentials_invalid', 'access_denied', 'disabled']);

/** The source's own availability: `online` while it has data to show. */
export function sourceAvailability(h: SourceHealth, hasPoints: boolean): 'online' | 'offline' {
  return hasPoints && !WITHOUT_VALUES.has(h.status_detail) ? 'online' : 'offline';
}

/** The problem binary sensor's state: on while the source is degraded or in error. */
export function problemState(h: SourceHealth): 'ON' | 'OFF' {
  return h.status === 'degraded' || h.status === 'error' ? 'ON' : 'OFF';
}
