/**
 * A measurement at one instant, as a plugin returns it. The host adds the `source` tag (the
 * source id) and writes it as InfluxDB line protocol. Use {@link int} for integer fields.
 */
export interface Point {
  /** snake_case measurement name, e.g. `carbon_intensity` (CONTRACT §4). */
  measurement: string;
  /** Tag values; `source` is added by the host and must not be set here. */
  tags?: Record<string, string>;
  /** At least one field. Numbers are written as floats unless wrapped with {@link int}. */
  fields: Record<string, FieldValue>;
  /** The upstream's own time of the point. */
  time: Date;
}

/** An integer field value (line protocol `42i`). */
export interface IntField {
  readonly int: number;
}

export type FieldValue = number | string | boolean | IntField;

/** Marks a number as an integer field. */
export function int(value: number): IntField {
  return { int: Math.trunc(value) };
}

export function isIntField(v: unknown): v is IntField {
  return typeof v === 'object' && v !== null && typeof (v as IntField).int === 'number';
}

/** A point as it leaves the runtime: the `source` tag is set. */
export interface SourcePoint extends Point {
  tags: Record<string, string> & { source: string };
}
