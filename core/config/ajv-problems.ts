import type { ErrorObject } from 'ajv';
import { LONGEST_DURATION } from '../plugin-api/duration.js';
import { DURATION_PATTERN, MQTT_URL_PATTERN, NAME_PATTERN, REDIS_URL_PATTERN, TOPIC_LEVELS_PATTERN } from './host-schema.js';
import { SIZE_PATTERN } from './size.js';
import type { ConfigProblem, Locate } from './types.js';

/** Where the validated value sits in the file, for turning ajv errors into problems. */
export interface ProblemScope {
  file: string;
  locate: Locate;
  /** Key path of the validated value, e.g. `['sources', 'carbon', 'options']`. */
  prefix: readonly (string | number)[];
}

const KNOWN_PATTERNS: Record<string, string> = {
  [DURATION_PATTERN]: 'is not a duration like 30s, 5m or 1h',
  [SIZE_PATTERN]: 'is not a size like 1GiB or 500MB',
  [MQTT_URL_PATTERN]: 'is not a broker URL like mqtt://host:1883 or mqtts://host:8883',
  [TOPIC_LEVELS_PATTERN]: 'is not an MQTT topic of letters, digits, _ and - levels separated by /',
  [REDIS_URL_PATTERN]: 'is not a Redis URL like redis://host:6379 or rediss://host:6380',
  [NAME_PATTERN]: 'is not a name of letters, digits, ., _ and -',
};

/**
 * Turns ajv errors (run with `allErrors` and `verbose`) into problems with dotted key paths and
 * lines. Messages say what was expected and never repeat the value, which may be a secret.
 */
export function ajvProblems(errors: readonly ErrorObject[] | null | undefined, scope: ProblemScope): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const err of withoutBranchNoise(errors ?? [])) {
    const mapped = describe(err);
    if (!mapped) continue;
    const segments = [...scope.prefix, ...pointerSegments(err.instancePath), ...mapped.child];
    const path = segments.join('.');
    const key = `${path}\0${mapped.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ file: scope.file, line: scope.locate(segments), path, message: mapped.message });
  }
  return problems;
}

/** JSON Pointer (`/sources/carbon/optoins`) to key segments. */
function pointerSegments(pointer: string): string[] {
  if (!pointer) return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** An anyOf/oneOf says it once; the failures of each of its branches would only confuse. */
function withoutBranchNoise(errors: readonly ErrorObject[]): ErrorObject[] {
  const unions = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  return errors.filter(
    (e) => e.keyword !== 'if' && !unions.some((u) => u !== e && e.schemaPath.startsWith(`${u.schemaPath}/`) && e.instancePath.startsWith(u.instancePath)),
  );
}

type Described = { child: string[]; message: string } | null;

function describe(err: ErrorObject): Described {
  const p = err.params as Record<string, unknown>;
  const parent = (err.parentSchema ?? {}) as Record<string, unknown>;
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      return { child: [key], message: `unknown key${suggestion(key, Object.keys((parent.properties as object) ?? {}))}` };
    }
    case 'required':
      return { child: [String(p.missingProperty)], message: 'is required' };
    case 'type':
      return { child: [], message: `is not ${typeWords(p.type)}` };
    case 'enum':
      return { child: [], message: `must be one of: ${(p.allowedValues as unknown[]).map(String).join(', ')}` };
    case 'const':
      return { child: [], message: `must be ${JSON.stringify(p.allowedValue)}` };
    case 'minimum':
    case 'maximum':
      return { child: [], message: rangeMessage(parent, err) };
    case 'exclusiveMinimum':
      return { child: [], message: `must be greater than ${String(p.limit)}` };
    case 'exclusiveMaximum':
      return { child: [], message: `must be less than ${String(p.limit)}` };
    case 'minLength':
      return { child: [], message: p.limit === 1 ? 'is empty' : `must be at least ${String(p.limit)} characters long` };
    case 'pattern':
      return { child: [], message: KNOWN_PATTERNS[String(p.pattern)] ?? `does not match the pattern ${String(p.pattern)}` };
    case 'format':
      return { child: [], message: formatMessage(String(p.format)) };
    case 'anyOf':
    case 'oneOf':
      return { child: [], message: 'does not match any of the allowed forms' };
    case 'not':
      return { child: [], message: 'is not allowed here' };
    default:
      return { child: [], message: err.message ?? `fails ${err.keyword}` };
  }
}

function formatMessage(format: string): string {
  if (format === 'homeiq-duration') return `is longer than ${LONGEST_DURATION}, the longest duration accepted`;
  return `is not a valid ${format === 'uri' ? 'URL' : format}`;
}

function rangeMessage(parent: Record<string, unknown>, err: ErrorObject): string {
  const { minimum, maximum } = parent;
  if (typeof minimum === 'number' && typeof maximum === 'number') return `must be between ${minimum} and ${maximum}`;
  const limit = String((err.params as { limit: unknown }).limit);
  return err.keyword === 'minimum' ? `must be at least ${limit}` : `must be at most ${limit}`;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  object: 'a map',
  array: 'a list',
  null: 'empty',
};

function typeWords(type: unknown): string {
  const types = (Array.isArray(type) ? type : String(type).split(',')).map(String);
  return types.map((t) => TYPE_WORDS[t] ?? t).join(' or ');
}

/** ` (did you mean x?)` for a key within two edits of a known one. */
function suggestion(key: string, known: string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = editDistance(key.toLowerCase(), candidate);
    if (d < bestDistance && d < candidate.length / 2) [best, bestDistance] = [candidate, d];
  }
  return best ? ` (did you mean ${best}?)` : '';
}

/** Levenshtein distance with adjacent transpositions (optimal string alignment). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
