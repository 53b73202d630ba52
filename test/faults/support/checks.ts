import { errorKind, isIntField, type Point } from '../../../core/plugin-api/index.js';
import type { RunOutcome } from '../../../core/runtime/source-runner.js';

/**
 * What the parser properties assert: a parser either returns well-formed points (or records) or
 * throws the plugin API's typed data error with a message a user can act on; it never throws a
 * TypeError or a RangeError, never returns a NaN, and never takes long.
 */

/** Longer than this for one parse is a hang (a normal answer takes a few milliseconds). */
export const PARSE_LIMIT_MS = 1_500;

/** What JavaScript says on its own when code trips over a value: never a message for a user. */
const NATIVE = /^(Cannot (read|set|convert)|[\w.$[\]]+ is not (a function|iterable|defined)|Unexpected (token|end)|Invalid (time value|Date|array length)|Maximum call stack)/;

/** Fails with a readable description when `err` is not a typed data error with a clear message. */
export function assertDataError(err: unknown, input: string): void {
  const message = err instanceof Error ? err.message : String(err);
  const name = err instanceof Error ? err.constructor.name : typeof err;
  if (errorKind(err) !== 'data') throw new Error(`expected a DataError for ${input}, got ${name}: ${message}`);
  assertClearMessage(message, input);
}

/** A message that says something: not empty, not JavaScript's own words, no NaN or undefined in it. */
export function assertClearMessage(message: string, input: string): void {
  if (!message.trim()) throw new Error(`an error without a message for ${input}`);
  if (NATIVE.test(message)) throw new Error(`a JavaScript message instead of one saying what and where, for ${input}: ${message}`);
  // A value quoted from the answer (`startsAt is not a date ("NaN")`) is fine; the message's own words are not.
  const own = message.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  if (/\bNaN\b|\bundefined\b|\[object Object\]/.test(own)) throw new Error(`a message with NaN/undefined/[object Object] for ${input}: ${message}`);
}

/** Fails unless `t` is a Date of a real instant. */
export function assertInstant(t: unknown, where: string): void {
  if (!(t instanceof Date) || !Number.isFinite(t.getTime())) throw new Error(`${where} is not a valid Date: ${String(t)}`);
}

/** Fails on any point the runtime would refuse or a user could not read: NaN, no fields, a bad name. */
export function assertPoints(points: readonly Point[], input: string): void {
  points.forEach((p, i) => {
    const where = `points[${i}] for ${input}`;
    if (typeof p.measurement !== 'string' || !/^[a-z][a-z0-9_]*$/.test(p.measurement)) throw new Error(`${where}: measurement ${JSON.stringify(p.measurement)}`);
    assertInstant(p.time, `${where}.time`);
    for (const [k, v] of Object.entries(p.tags ?? {})) {
      if (typeof v !== 'string' || !v) throw new Error(`${where}.tags.${k} is ${JSON.stringify(v)}`);
    }
    const fields = Object.entries(p.fields ?? {});
    if (fields.length === 0) throw new Error(`${where} has no field`);
    for (const [k, v] of fields) {
      const ok = (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'string' || typeof v === 'boolean' || (isIntField(v) && Number.isFinite(v.int));
      if (!ok) throw new Error(`${where}.fields.${k} is ${String(v)}`);
    }
  });
}

/** Fails on a calendar event with an invalid start or end, or one that ends before it starts. */
export function assertEvents(events: readonly { id: string; start: Date; end: Date }[], input: string): void {
  for (const e of events) {
    if (typeof e.id !== 'string' || !e.id) throw new Error(`an event without an id for ${input}`);
    assertInstant(e.start, `event ${e.id}.start for ${input}`);
    assertInstant(e.end, `event ${e.id}.end for ${input}`);
    if (e.end < e.start) throw new Error(`event ${e.id} ends before it starts for ${input}`);
  }
}

/** The messages of the DataErrors parseChecked saw since the last call (real answers must have none). */
let seen: string[] = [];
export function takeDataErrors(): string[] {
  const taken = seen;
  seen = [];
  return taken;
}

/**
 * Calls a parser and checks what it did: points or records checked by `check`, or a typed data
 * error; and that it returned within {@link PARSE_LIMIT_MS}.
 */
export function parseChecked<T>(input: string, parse: () => T, check: (result: T) => void = () => undefined): void {
  const started = performance.now();
  let result: T;
  try {
    result = parse();
  } catch (err) {
    assertDataError(err, input);
    assertQuick(started, input);
    seen.push((err as Error).message);
    return;
  }
  assertQuick(started, input);
  check(result);
}

function assertQuick(started: number, input: string): void {
  const ms = performance.now() - started;
  if (ms > PARSE_LIMIT_MS) throw new Error(`parsing took ${Math.round(ms)} ms (more than ${PARSE_LIMIT_MS}) for ${input}`);
}

/** Error kinds a run may end with when the upstream's answer is garbage; `timeout` would be a hang. */
const RUN_KINDS = new Set(['data', 'upstream', 'credentials', 'access', 'rate_limit', 'config']);

/**
 * Checks one run through the runtime: a success with well-formed points, or a typed error with a
 * clear message. A DataError the runtime raised itself over the plugin's points (`points[3]…`)
 * means the plugin returned a broken point, and fails the property.
 */
export function assertRun(outcome: RunOutcome, input: string): void {
  if (outcome.ok) return assertPoints(outcome.points, input);
  const err = outcome.error;
  const kind = errorKind(err);
  const name = err instanceof Error ? err.constructor.name : typeof err;
  if (!kind || !RUN_KINDS.has(kind)) throw new Error(`the run failed with ${name} (kind ${kind ?? 'none'}) for ${input}: ${err?.message}`);
  const message = err!.message;
  if (/^(points\[\d+\]|fetch returned)/.test(message)) throw new Error(`the plugin returned broken points for ${input}: ${message}`);
  assertClearMessage(message, input);
}

/** A short, printable description of an input for messages: its first characters. */
export function describeInput(label: string, text: string): string {
  const shown = text.length > 160 ? `${text.slice(0, 160)}…(${text.length} chars)` : text;
  return `${label} ${JSON.stringify(shown)}`;
}
