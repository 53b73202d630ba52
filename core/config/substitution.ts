import { constants, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { isMap, isScalar, isSeq, type Scalar } from 'yaml';
import type { ConfigDocument } from './yaml-document.js';
import type { ConfigProblem } from './types.js';

/** A variable a value referred to that gave nothing: unset (nor `_FILE`), or set but empty. */
export interface MissingVariable {
  name: string;
  state: 'not set' | 'empty';
}

/** What substitution left behind: problems, and the missing variables of each value by dotted path. */
export interface SubstitutionResult {
  problems: ConfigProblem[];
  missing: Map<string, MissingVariable[]>;
}

type Lookup = { value: string } | { missing: MissingVariable } | { problem: string };

/** A secret file holds a token or a password: anything larger is refused (`/dev/zero` would fill memory). */
export const MAX_SECRET_FILE_BYTES = 64 * 1024;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string value of the document, in place, from
 * `env`; `VAR_FILE=/path` supplies an unset VAR from that file (one trailing newline trimmed), and
 * `$${` stands for a literal `${`. A variable that gives nothing leaves an empty string: whether
 * that is a problem depends on the key (credentials may be empty), so it is only recorded here.
 */
export async function substituteEnv(document: ConfigDocument, env: NodeJS.ProcessEnv, file: string): Promise<SubstitutionResult> {
  const result: SubstitutionResult = { problems: [], missing: new Map() };
  const values = stringValues(document.doc.contents);
  const lookup = variableLookup(env, await readSecretFiles(values, env));
  for (const { node, path } of values) {
    const out = expand(node.value, lookup);
    node.value = out.text;
    const at = { file, line: document.locate(path), path: path.join('.') };
    for (const message of out.problems) result.problems.push({ ...at, message });
    if (out.missing.length > 0) result.missing.set(at.path, out.missing);
  }
  return result;
}

type StringValue = { node: Scalar<string>; path: (string | number)[] };

/** The string values of the document that refer to something (`$`), with their key paths. */
function stringValues(node: unknown, path: (string | number)[] = [], out: StringValue[] = []): StringValue[] {
  if (isMap(node)) {
    for (const pair of node.items) if (isScalar(pair.key)) stringValues(pair.value, [...path, String(pair.key.value)], out);
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => stringValues(item, [...path, i], out));
  } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('$')) {
    out.push({ node: node as Scalar<string>, path });
  }
  return out;
}

/** Looks variables up in `env`, then in the `VAR_FILE` contents read beforehand (by path). */
function variableLookup(env: NodeJS.ProcessEnv, files: ReadonlyMap<string, (name: string) => Lookup>): (name: string) => Lookup {
  return (name) => {
    const value = env[name];
    if (value !== undefined) return value === '' ? { missing: { name, state: 'empty' } } : { value };
    const path = env[`${name}_FILE`];
    if (path === undefined || path === '') return { missing: { name, state: 'not set' } };
    return files.get(path)!(name);
  };
}

/** Reads, once each and off the event loop, every `VAR_FILE` that a value will need. */
async function readSecretFiles(values: StringValue[], env: NodeJS.ProcessEnv): Promise<Map<string, (name: string) => Lookup>> {
  const paths = new Set<string>();
  const note = (name: string): Lookup => {
    const path = env[`${name}_FILE`];
    if (env[name] === undefined && path) paths.add(path);
    return { value: '' };
  };
  for (const { node } of values) expand(node.value, note);
  const read = await Promise.all([...paths].map(async (path) => [path, await readSecretFile(path)] as const));
  return new Map(read);
}

/**
 * One secret file's text, or why not (worded for the variable that named it). Only a regular file
 * of at most MAX_SECRET_FILE_BYTES is read: a device would never end, and opening a FIFO
 * waits for a writer (hence O_NONBLOCK, then fstat).
 */
async function readSecretFile(path: string): Promise<(name: string) => Lookup> {
  const refused = (why: string) => (name: string) => ({ problem: `cannot read ${name}_FILE ${path} (${why})` });
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const stat = await handle.stat();
    if (!stat.isFile()) return refused(`not a regular file: ${fileKind(stat)}`);
    const buffer = Buffer.alloc(MAX_SECRET_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      length += bytesRead;
      if (bytesRead === 0 || length === buffer.length) break;
    }
    if (length > MAX_SECRET_FILE_BYTES) return refused(`larger than ${MAX_SECRET_FILE_BYTES / 1024} KiB`);
    const text = buffer.toString('utf8', 0, length).replace(/\r?\n$/, '');
    return (name) => (text === '' ? { missing: { name, state: 'empty' } } : { value: text });
  } catch (err) {
    return refused((err as NodeJS.ErrnoException).code ?? 'error');
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

function fileKind(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a file';
}

const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([^]*))?$/;

/** Expands one string. Messages name variables and files, never values. */
function expand(input: string, lookup: (name: string) => Lookup): { text: string; problems: string[]; missing: MissingVariable[] } {
  const problems: string[] = [];
  const missing: MissingVariable[] = [];
  let text = '';
  let i = 0;
  while (i < input.length) {
    const at = input.indexOf('$', i);
    if (at < 0) break;
    text += input.slice(i, at);
    if (input.startsWith('$${', at)) {
      text += '${';
      i = at + 3;
      continue;
    }
    if (!input.startsWith('${', at)) {
      text += '$';
      i = at + 1;
      continue;
    }
    const close = input.indexOf('}', at + 2);
    const ref = close < 0 ? null : REFERENCE.exec(input.slice(at + 2, close));
    if (!ref) {
      problems.push(close < 0 ? 'unterminated ${ (write $${ for a literal ${)' : 'invalid variable reference (expected ${NAME} or ${NAME:-default})');
      return { text: '', problems, missing };
    }
    text += resolve(ref[1]!, ref[2], lookup, problems, missing);
    i = close + 1;
  }
  return { text: text + input.slice(i), problems, missing };
}

function resolve(name: string, fallback: string | undefined, lookup: (name: string) => Lookup, problems: string[], missing: MissingVariable[]): string {
  const hit = lookup(name);
  if ('value' in hit) return hit.value;
  if ('problem' in hit) {
    problems.push(hit.problem);
    return '';
  }
  if (fallback !== undefined) return fallback;
  missing.push(hit.missing);
  return '';
}

/**
 * Adds to each problem about a value the variables that left it empty:
 * `is empty: environment variable INFLUXDB_URL is not set`. Problems about keys (unknown,
 * duplicate) are left alone: the variable is not why they are wrong.
 */
export function noteMissingVariables(problems: ConfigProblem[], missing: ReadonlyMap<string, MissingVariable[]>): ConfigProblem[] {
  return problems.map((p) => {
    const vars = missing.get(p.path);
    if (!vars || /^(unknown key|duplicate)/.test(p.message)) return p;
    const note = vars.map((v) => `environment variable ${v.name} is ${v.state}`).join(', ');
    return { ...p, message: `${p.message}: ${note}` };
  });
}

// The missing variables of each loaded source, so that plugin option problems found after loading
// can name them too. Keyed by the SourceConfig object: a reload makes new ones.
const missingBySource = new WeakMap<object, ReadonlyMap<string, MissingVariable[]>>();

/** Remembers the file's missing variables for a source built from it. */
export function rememberMissing(source: object, missing: ReadonlyMap<string, MissingVariable[]>): void {
  if (missing.size > 0) missingBySource.set(source, missing);
}

/** The missing variables remembered for a source (empty when none). */
export function missingFor(source: object): ReadonlyMap<string, MissingVariable[]> {
  return missingBySource.get(source) ?? new Map();
}
