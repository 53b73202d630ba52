import { compile, TreeInterpreter, type JSONValue } from '@jmespath-community/jmespath';
import { DataError, isTimeZone, type ItemError, type OptionProblem, type Point } from '../../core/plugin-api/index.js';
import type { HttpJsonOptions } from './options.js';
import { readTime } from './record-time.js';

type Expression = ReturnType<typeof compile>;

interface Selected {
  /** The selector as the config writes it, for messages. */
  text: string;
  expression: Expression;
}

/** The mapping of a source, every selector compiled once. */
export interface Mapping {
  records: Selected;
  time: Selected;
  tags: [name: string, value: string | Selected][];
  fields: [name: string, selected: Selected, type: 'number' | 'string'][];
  /** Login style: where the token and its lifetime are in the login's answer. */
  token?: Selected;
  expiresIn?: Selected;
}

/** Compiles `text`, or records a problem at `key`. */
function compiled(text: string, key: string, problems: OptionProblem[]): Selected {
  try {
    return { text, expression: compile(text) };
  } catch (err) {
    problems.push({ key, message: `is not a JMESPath expression: ${(err as Error).message}` });
    return { text, expression: compile('@') };
  }
}

/** The compiled mapping and the problems of its options (bad selectors, a local time without zone). */
export function compileMapping(o: HttpJsonOptions): { mapping: Mapping; problems: OptionProblem[] } {
  const problems: OptionProblem[] = [];
  const mapping: Mapping = {
    records: compiled(o.records ?? '@', 'records', problems),
    time: compiled(o.time, 'time', problems),
    tags: Object.entries(o.tags ?? {}).map(([name, t]) => [name, typeof t === 'string' ? compiled(t, `tags.${name}`, problems) : t.value]),
    fields: Object.entries(o.fields ?? {}).map(([name, f]) =>
      typeof f === 'string' ? [name, compiled(f, `fields.${name}`, problems), 'number'] : [name, compiled(f.select, `fields.${name}.select`, problems), f.type],
    ),
  };
  if (o.time_format === 'local' && !(o.time_zone && isTimeZone(o.time_zone))) {
    problems.push({ key: 'time_zone', message: 'time_format local needs an IANA time zone here, e.g. Europe/London' });
  }
  if (o.auth?.style === 'login') mapping.token = compiled(o.auth.token ?? 'token', 'auth.token', problems);
  if (o.auth?.style === 'login' && o.auth.expires_in) mapping.expiresIn = compiled(o.auth.expires_in, 'auth.expires_in', problems);
  if (o.auth?.style === 'login' && !o.auth.url) problems.push({ key: 'auth.url', message: 'style login needs the login url' });
  if (o.auth?.style === 'api_key' && !o.auth.name) problems.push({ key: 'auth.name', message: 'style api_key needs the header or query parameter name' });
  return { mapping, problems };
}

/** `selected` applied to `value`; a selector that fails at run time (unknown function) throws a DataError naming it. */
export function select(selected: Selected, value: unknown, where: string): unknown {
  try {
    return TreeInterpreter.search(selected.expression, value as JSONValue);
  } catch (err) {
    throw new DataError(`${where}: ${selected.text} failed: ${(err as Error).message}`);
  }
}

/**
 * The points of an answer. A record without a time, with a field of the wrong type or with no
 * field at all is skipped with an item error naming its index and the selector; the rest is kept.
 */
export function toPoints(body: unknown, mapping: Mapping, o: HttpJsonOptions): { points: Point[]; errors: ItemError[] } {
  const list = select(mapping.records, body, 'records');
  if (!Array.isArray(list)) throw new DataError(`records: ${mapping.records.text} selects ${list === null ? 'nothing' : `a ${typeof list}`}, not a list`);
  const points: Point[] = [];
  const errors: ItemError[] = [];
  list.forEach((record, i) => {
    try {
      points.push(recordPoint(record, mapping, o, i));
    } catch (err) {
      errors.push({ item: `record ${i}`, error: err as Error });
    }
  });
  return { points, errors };
}

function recordPoint(record: unknown, mapping: Mapping, o: HttpJsonOptions, i: number): Point {
  const where = `record ${i}`;
  const rawTime = select(mapping.time, record, where);
  const time = readTime(rawTime, o.time_format ?? 'iso8601', o.time_zone);
  if (!time) throw new DataError(`${where}: time ${mapping.time.text} ${rawTime === null ? 'is missing' : `is not a time in ${o.time_format ?? 'iso8601'}`}`);
  const tags: Record<string, string> = {};
  for (const [name, t] of mapping.tags) {
    const v = typeof t === 'string' ? t : select(t, record, where);
    if (typeof v === 'string' && v) tags[name] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') tags[name] = String(v);
  }
  const fields: Record<string, number | string> = {};
  for (const [name, selected, type] of mapping.fields) {
    const v = select(selected, record, where);
    if (v === null) continue; // absent (an actual value not measured yet): the field is left out
    if (type === 'number' && !(typeof v === 'number' && Number.isFinite(v))) throw new DataError(`${where}: field ${name} (${selected.text}) is not a number`);
    if (type === 'string' && typeof v !== 'string') throw new DataError(`${where}: field ${name} (${selected.text}) is not a string`);
    fields[name] = v as number | string;
  }
  if (Object.keys(fields).length === 0) throw new DataError(`${where}: no field has a value (${mapping.fields.map(([, s]) => s.text).join(', ')})`);
  return { measurement: o.measurement, tags, fields, time };
}
