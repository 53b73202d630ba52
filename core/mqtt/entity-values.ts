import type { EntityDeclaration } from '../plugin-api/entity.js';
import { isIntField, type FieldValue, type Point } from '../plugin-api/point.js';

/** Home Assistant's recorder keeps attributes up to 16,384 bytes; a little is left for its own keys. */
export const MAX_ATTRIBUTES_BYTES = 16_000;
/** Sensors made for a plugin that declares none, at most per source (a tag such as an event id would make thousands). */
export const MAX_UNDECLARED = 100;

/** One entity of a source as it stands after a run: how Home Assistant shows it, and its state. */
export interface EntityValue {
  /** `[a-z0-9_]+`, unique within the source: the end of the unique id. */
  key: string;
  /** `sensor` (the default) or `binary_sensor`, whose state is `ON` or `OFF` (the planner's "running now"). */
  component?: 'sensor' | 'binary_sensor';
  name: string;
  unit?: string;
  device_class?: string;
  state_class?: string;
  icon?: string;
  suggested_display_precision?: number;
  /** The state as Home Assistant reads it; `None` when no point holds a value now. */
  state: string;
  /** Sent on the entity's attributes topic; null: none. */
  attributes: Record<string, unknown> | null;
}

/** `None` is Home Assistant's MQTT payload for "unknown". */
export const UNKNOWN = 'None';

/**
 * The entities of a source's newest points: those its plugin declares (entity.ts), or one sensor
 * per numeric field when it declares none.
 */
export function entityValues(points: readonly Point[], declared: readonly EntityDeclaration[] | undefined, now: number): EntityValue[] {
  if (!declared) return undeclaredValues(points, now);
  return declared.flatMap((d) => declaredValues(points, d, now));
}

function declaredValues(points: readonly Point[], d: EntityDeclaration, now: number): EntityValue[] {
  const matching = points.filter((p) => p.measurement === d.measurement && hasTags(p, d.tags) && (d.value === 'time' || (d.field !== undefined && d.field in p.fields)));
  if (!d.per_tag) {
    const value = valueOf(d, d.key, d.name, matching, now);
    return value ? [value] : [];
  }
  const groups = new Map<string, Point[]>();
  for (const p of matching) {
    const tag = p.tags?.[d.per_tag];
    if (tag === undefined) continue;
    const group = groups.get(tag);
    if (group) group.push(p);
    else groups.set(tag, [p]);
  }
  return [...groups].flatMap(([tag, group]) => {
    const value = valueOf(d, `${d.key}_${slug(tag)}`, `${d.name} ${tag}`, group, now);
    return value ? [value] : [];
  });
}

/** One declared entity over its points; null when its unit names a tag and no point says it. */
function valueOf(d: EntityDeclaration, key: string, name: string, points: readonly Point[], now: number): EntityValue | null {
  const picked = d.pick === 'next' ? nextPoint(points, now) : presentPoint(points, now);
  const unit = d.unit === undefined ? undefined : unitOf(d.unit, picked ?? points[0]);
  if (unit === null) return null;
  const scale = d.scale ?? 1;
  const state = !picked ? UNKNOWN : d.value === 'time' ? picked.time.toISOString() : format(picked.fields[d.field!], scale);
  const attributes: Record<string, unknown> = {};
  for (const field of d.attributes ?? []) {
    const v = picked?.fields[field];
    attributes[field] = v === undefined ? null : isIntField(v) ? v.int : v;
  }
  if (d.forecast && d.field) attributes.forecast = forecastOf(points, d.field, scale, now, attributes);
  return {
    key,
    name,
    ...(unit !== undefined ? { unit } : {}),
    ...pick(d, ['device_class', 'state_class', 'icon', 'suggested_display_precision']),
    state,
    attributes: Object.keys(attributes).length > 0 ? attributes : null,
  };
}

/** `{currency}/kWh` with the point's tags; null when a tag it names is not there. */
function unitOf(unit: string, point: Point | undefined): string | null {
  let missing = false;
  const resolved = unit.replace(/\{([a-z_]+)\}/g, (_, tag: string) => {
    const value = point?.tags?.[tag];
    if (value === undefined) missing = true;
    return value ?? '';
  });
  return missing ? null : resolved;
}

/**
 * The coming points as `[[epoch_seconds, value], …]`, soonest first, cut at the far end so the
 * whole attributes message (with `others`) stays under MAX_ATTRIBUTES_BYTES.
 */
function forecastOf(points: readonly Point[], field: string, scale: number, now: number, others: Record<string, unknown>): [number, number][] {
  const coming: [number, number][] = [];
  for (const p of [...points].sort((a, b) => a.time.getTime() - b.time.getTime())) {
    const v = numberOf(p.fields[field]);
    if (p.time.getTime() > now && v !== null) coming.push([Math.floor(p.time.getTime() / 1000), round(v * scale)]);
  }
  const size = (n: number) => Buffer.byteLength(JSON.stringify({ ...others, forecast: coming.slice(0, n) }));
  if (size(coming.length) <= MAX_ATTRIBUTES_BYTES) return coming;
  let [lo, hi] = [0, coming.length];
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (size(mid) <= MAX_ATTRIBUTES_BYTES) lo = mid;
    else hi = mid - 1;
  }
  return coming.slice(0, lo);
}

/** One sensor per numeric field of each series' present point, keyed by measurement, tag values and field. */
function undeclaredValues(points: readonly Point[], now: number): EntityValue[] {
  const series = new Map<string, { parts: string[]; points: Point[] }>();
  for (const p of points) {
    const tags = Object.entries(p.tags ?? {})
      .filter(([name]) => name !== 'source')
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, v]) => v);
    const parts = [p.measurement, ...tags];
    const id = JSON.stringify(parts);
    const s = series.get(id);
    if (s) s.points.push(p);
    else series.set(id, { parts, points: [p] });
  }
  const values: EntityValue[] = [];
  for (const { parts, points: group } of series.values()) {
    const present = presentPoint(group, now)!;
    for (const [field, v] of Object.entries(present.fields)) {
      if (numberOf(v) === null || values.length >= MAX_UNDECLARED) continue;
      values.push({ key: slug([...parts, field].join('_')), name: [...parts, field].join(' '), state_class: 'measurement', state: format(v, 1), attributes: null });
    }
  }
  return values;
}

/** The point holding the present: the newest not after now, else the oldest. */
function presentPoint(points: readonly Point[], now: number): Point | undefined {
  let past: Point | undefined;
  let oldest: Point | undefined;
  for (const p of points) {
    const t = p.time.getTime();
    if (t <= now && (!past || t > past.time.getTime())) past = p;
    if (!oldest || t < oldest.time.getTime()) oldest = p;
  }
  return past ?? oldest;
}

/** The first point after now. */
function nextPoint(points: readonly Point[], now: number): Point | undefined {
  let next: Point | undefined;
  for (const p of points) if (p.time.getTime() > now && (!next || p.time < next.time)) next = p;
  return next;
}

function hasTags(p: Point, tags: Record<string, string> | undefined): boolean {
  if (!tags) return true;
  for (const [name, value] of Object.entries(tags)) if (p.tags?.[name] !== value) return false;
  return true;
}

function numberOf(v: FieldValue | undefined): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (isIntField(v)) return v.int;
  return null;
}

/** A state payload: numbers scaled (rounded to 6 decimals: a conversion leaves float noise), the rest as text. */
function format(v: FieldValue | undefined, scale: number): string {
  if (v === undefined) return UNKNOWN;
  const n = numberOf(v);
  if (n !== null) return String(round(n * scale));
  if (typeof v === 'number') return UNKNOWN;
  return String(v);
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

/** `[a-z0-9_]+` for ids: Home Assistant's discovery topics and entity ids allow no more. */
export function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '') || 'x'
  );
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
