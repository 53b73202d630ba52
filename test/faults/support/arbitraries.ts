import fc from 'fast-check';

/**
 * What the parser properties feed to the plugins: random bytes, random JSON, and structure-aware
 * mutations of a real answer (a field dropped, replaced by an odd value, an entry duplicated).
 */

/** Values that have broken parsers before: edges of numbers and dates, wrong types, look-alikes. */
const EDGE_VALUES: readonly unknown[] = [
  null, '', ' ', 0, -1, 1, 0.5, 59, 61, 1e21, 1e308, -1e308, 8.64e12, 8.64e15, 8.64e18, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER,
  'NaN', 'Infinity', '-1', '0', '1e400', '12,5', true, false, [], {}, [null], [[]], { toString: 'x', valueOf: 1 },
  '2026-02-30T10:00:00Z', '2026-05-06T25:00:00+02:00', '2026-05-06T12:00:00+99:99', '2026-05-06T12:00:00.000+02:00',
  '0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '+275760-09-13T00:00:00.000Z', '-271821-04-20T00:00:00.000Z',
  '2026-05-06', '2026-05-06T12:00', '2026-05-06T12:00Z', '20260506T120000Z', '20260230', '19:00', '25:00', '-1:00',
  'PT15M', 'PT1M', 'PT0M', 'A03', 'A01', 'MWH', 'EUR', 'Eur/MWh', 'running', 'cancelled', 'tentative', '°C', 'EST', 'XST',
];

/** A JSON value that is odd for a field: an edge value, any JSON, a number, a date of any year. */
export const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constantFrom(...EDGE_VALUES), weight: 4 },
  { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 2 },
  { arbitrary: fc.integer(), weight: 1 },
  { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }), weight: 1 },
  { arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), weight: 1 },
  // Dates of these two centuries as the upstreams write them: ISO with milliseconds, with minutes only (ENTSO-E), with an offset.
  {
    arbitrary: fc
      .tuple(fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-12-31T23:59:59Z'), noInvalidDate: true }), fc.constantFrom('ms', 'minutes', 'offset'))
      .map(([d, style]) => (style === 'ms' ? d.toISOString() : style === 'minutes' ? `${d.toISOString().slice(0, 16)}Z` : `${d.toISOString().slice(0, 19)}+02:00`)),
    weight: 2,
  },
  { arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.getTime()), weight: 1 },
  { arbitrary: fc.string({ maxLength: 12 }), weight: 1 },
);

/** Random bytes as the text a body would be read as (UTF-8, invalid sequences replaced). */
export const randomBytesText: fc.Arbitrary<string> = fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b).toString('utf8'));

/** Any JSON value (objects, arrays, strings, numbers, null). */
export const randomJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 4 });

/** Text that is almost JSON: a random JSON document cut short, or with a stray character. */
export const brokenJsonText: fc.Arbitrary<string> = fc
  .tuple(fc.jsonValue({ maxDepth: 3 }), fc.nat(), fc.constantFrom('', '}', ']', ',', '"', 'x', '\u0000'))
  .map(([v, cut, extra]) => {
    const text = JSON.stringify(v) ?? 'null';
    return text.slice(0, cut % (text.length + 1)) + extra;
  });

// ---------------------------------------------------------------------------------------------
// JSON mutations

type Key = string | number;
type JsonPath = Key[];

/** One change to a document: at the `at`-th node (modulo their number), drop, replace or duplicate it. */
export interface JsonMutation {
  kind: 'drop' | 'replace' | 'duplicate';
  at: number;
  value: unknown;
}

const jsonMutation: fc.Arbitrary<JsonMutation> = fc.record({
  kind: fc.constantFrom<JsonMutation['kind']>('drop', 'replace', 'replace', 'replace', 'duplicate'),
  at: fc.nat(),
  value: oddValue,
});

/** One to three mutations of one document. */
export const jsonMutations: fc.Arbitrary<JsonMutation[]> = fc.array(jsonMutation, { minLength: 1, maxLength: 3 });

/** Every node's path below the root, in document order. */
function nodePaths(value: unknown, prefix: JsonPath = [], out: JsonPath[] = []): JsonPath[] {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push([...prefix, i]);
      nodePaths(v, [...prefix, i], out);
    });
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push([...prefix, k]);
      nodePaths(v, [...prefix, k], out);
    }
  }
  return out;
}

function parentOf(root: unknown, path: JsonPath): Record<Key, unknown> {
  let node = root as Record<Key, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<Key, unknown>;
  return node;
}

const show = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
};
const pathText = (path: JsonPath): string => path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('').replace(/^\./, '');

/**
 * An input with the story of how it was made, which fast-check prints as the counterexample
 * (`prices-normal.json: replace data.viewer….startsAt with "NaN"`) instead of the whole document.
 */
export interface Sample<T = unknown> {
  value: T;
  story: string;
}

export function sample<T>(value: T, story: string): Sample<T> {
  return { value, story, [fc.toStringMethod]: () => story } as Sample<T>;
}

/**
 * The `at`-th node, chosen by kind first: the node's path with its list indices left out
 * (`today[].startsAt`) picks the kind, so a field that occurs once is as likely as one repeated
 * in each of a hundred entries. Then the instance of that kind.
 */
function pickNode<T>(nodes: readonly T[], kindOf: (node: T) => string, at: number): T {
  const kinds = new Map<string, T[]>();
  for (const node of nodes) {
    const kind = kindOf(node);
    const list = kinds.get(kind);
    if (list) list.push(node);
    else kinds.set(kind, [node]);
  }
  const groups = [...kinds.values()];
  const group = groups[at % groups.length]!;
  return group[Math.floor(at / groups.length) % group.length]!;
}

/** `valid` with `mutations` applied, each to a node of the document as the previous ones left it. */
export function mutateJson(valid: unknown, mutations: readonly JsonMutation[], story: string[] = []): unknown {
  let doc = structuredClone(valid);
  for (const m of mutations) {
    const paths = nodePaths(doc);
    if (paths.length === 0) {
      story.push(m.kind === 'drop' ? 'drop everything' : `replace everything with ${show(m.value)}`);
      doc = m.kind === 'drop' ? undefined : m.value;
      continue;
    }
    const path = pickNode(paths, (p) => p.map((k) => (typeof k === 'number' ? '[]' : k)).join('.'), m.at);
    const parent = parentOf(doc, path);
    const key = path[path.length - 1]!;
    story.push(m.kind === 'replace' ? `replace ${pathText(path)} with ${show(m.value)}` : `${m.kind} ${pathText(path)}`);
    if (m.kind === 'replace') parent[key] = structuredClone(m.value);
    else if (Array.isArray(parent) && typeof key === 'number') {
      if (m.kind === 'drop') parent.splice(key, 1);
      else parent.splice(key, 0, structuredClone(parent[key]));
    } else if (m.kind === 'drop') delete parent[key];
    else parent[key] = [structuredClone(parent[key])];
  }
  return doc;
}


// ---------------------------------------------------------------------------------------------
// Text mutations (XML documents, iCalendar feeds)

/** One change to a text document, on its `at`-th unit (leaf element, line) modulo their number. */
export interface TextMutation {
  kind: 'drop' | 'replace' | 'duplicate' | 'truncate';
  at: number;
  value: unknown;
}

const textMutation: fc.Arbitrary<TextMutation> = fc.record({
  kind: fc.constantFrom<TextMutation['kind']>('drop', 'replace', 'replace', 'replace', 'duplicate', 'truncate'),
  at: fc.nat(),
  value: oddValue,
});

export const textMutations: fc.Arbitrary<TextMutation[]> = fc.array(textMutation, { minLength: 1, maxLength: 3 });

/** A value as the text of an element or a property: strings as they are, anything else as JSON. */
function asText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

const LEAF = /<([A-Za-z_][\w.:-]*)>([^<]*)<\/\1>/g;

/** An XML document with leaf elements (`<price.amount>55.1</price.amount>`) dropped, changed or repeated. */
export function mutateXml(xml: string, mutations: readonly TextMutation[], story: string[] = []): string {
  let doc = xml;
  for (const m of mutations) {
    if (m.kind === 'truncate') {
      story.push(`cut at character ${m.at % (doc.length + 1)}`);
      doc = doc.slice(0, m.at % (doc.length + 1));
      continue;
    }
    const leaves = [...doc.matchAll(LEAF)];
    if (leaves.length === 0) continue;
    const leaf = pickNode(leaves, (l) => l[1]!, m.at);
    const [whole, name] = leaf;
    const start = leaf.index;
    story.push(m.kind === 'replace' ? `replace ${whole.slice(0, 60)} with ${show(m.value)}` : `${m.kind} ${whole.slice(0, 60)}`);
    const replacement =
      m.kind === 'drop' ? '' : m.kind === 'duplicate' ? whole + whole : `<${name}>${asText(m.value).replace(/[<&]/g, '')}</${name}>`;
    doc = doc.slice(0, start) + replacement + doc.slice(start + whole.length);
  }
  return doc;
}

/** An iCalendar feed with lines dropped, their values changed, repeated, or the feed cut short. */
export function mutateLines(text: string, mutations: readonly TextMutation[], story: string[] = []): string {
  let lines = text.split(/\r\n|\n/);
  for (const m of mutations) {
    if (lines.length === 0) break;
    const i = pickNode([...lines.keys()], (j) => /^[A-Za-z0-9-]*/.exec(lines[j]!)![0].toUpperCase(), m.at);
    const line = lines[i]!;
    story.push(m.kind === 'replace' ? `replace the value of line ${i + 1} (${line.slice(0, 40)}) with ${show(m.value)}` : `${m.kind} line ${i + 1} (${line.slice(0, 40)})`);
    if (m.kind === 'truncate') lines = lines.slice(0, i);
    else if (m.kind === 'drop') lines.splice(i, 1);
    else if (m.kind === 'duplicate') lines.splice(i, 0, line);
    else {
      const colon = line.indexOf(':');
      lines[i] = `${colon < 0 ? line : line.slice(0, colon)}:${asText(m.value).replace(/[\r\n]/g, ' ')}`;
    }
  }
  return lines.join('\r\n');
}

// ---------------------------------------------------------------------------------------------
// Samples

/** What a fixture is: a JSON value, an XML document or an iCalendar feed (both as text). */
export type FixtureKind = 'json' | 'xml' | 'ics';

/** Mutations of one of `fixtures` (by name), told as `<name>: <what changed>`. */
export function mutatedSample(fixtures: Readonly<Record<string, unknown>>, kind: FixtureKind): fc.Arbitrary<Sample> {
  const pick = fc.constantFrom(...Object.keys(fixtures));
  const mutations = kind === 'json' ? jsonMutations : textMutations;
  return fc.tuple(pick, mutations).map(([name, m]) => {
    const story: string[] = [];
    const valid = fixtures[name];
    const value =
      kind === 'json'
        ? mutateJson(valid, m as JsonMutation[], story)
        : (kind === 'xml' ? mutateXml : mutateLines)(valid as string, m as TextMutation[], story);
    return sample(value, `${name}: ${story.join('; ')}`);
  });
}

/** Random values told as `<what> <the value, shortened>`. */
export function randomSample(values: fc.Arbitrary<unknown>, what: string): fc.Arbitrary<Sample> {
  return values.map((v) => {
    const text = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
    return sample(v, `${what} ${text.length > 300 ? `${text.slice(0, 300)}…(${text.length} chars)` : text}`);
  });
}
