/**
 * A value a plugin offers to Home Assistant (like Home Assistant's own entity descriptions): which
 * series and field, and how to show it. The host turns each into an MQTT discovery entity when the
 * config has an `mqtt` section; a plugin that declares none gets one sensor per numeric field of
 * its newest points. The host checks unit × device class × state class when the plugin loads.
 */
export interface EntityDeclaration {
  /** Part of the entity's unique id (`homeiq_<source>_<key>`): `[a-z0-9_]+`, stable across releases. */
  key: string;
  /** The entity's name in Home Assistant, e.g. "Carbon intensity". */
  name: string;
  measurement: string;
  /** The field whose value is the state (unused with `value: 'time'`). */
  field?: string;
  /** Tag values a point must have, e.g. `{ series: 'index' }`. */
  tags?: Record<string, string>;
  /** One entity per value of this tag (e.g. `region`): its key and name get the value appended. */
  per_tag?: string;
  /** `now` (default): the point holding the present (the newest not after now, else the oldest); `next`: the first point after now. */
  pick?: 'now' | 'next';
  /** `field` (default) or `time`: the point's time as the state (a `timestamp` entity). */
  value?: 'field' | 'time';
  /** Multiplies the value (unit conversion, e.g. 0.45359237 for lb/MWh to g/kWh). */
  scale?: number;
  /** Unit; `{tag}` is replaced by the point's tag value, e.g. `{currency}/kWh`. */
  unit?: string;
  device_class?: string;
  state_class?: 'measurement' | 'total' | 'total_increasing';
  icon?: string;
  suggested_display_precision?: number;
  /** Other fields of the picked point shown as attributes (e.g. a calendar event's `summary`). */
  attributes?: string[];
  /** Puts the coming points into a `forecast` attribute, `[[epoch_seconds, value], …]`, under 16 KiB. */
  forecast?: boolean;
}
