import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq } from 'yaml';
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

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string value of the document, in place, from
 * `env`; `VAR_FILE=/path` supplies an unset VAR from that file (one trailing newline trimmed), and
 * `$${` stands for a literal `${`. A variable that gives nothing leaves an empty string: whether
 * that is a problem depends on the key (credentials may be empty), so it is only recorded here.
 */
export function substituteEnv(document: ConfigDocument, env: NodeJS.ProcessEnv, file: string): SubstitutionResult {
  const result: SubstitutionResult = { problems: [], missing: new Map() };
  const lookup = variableLookup(env);
  const visit = (node: unknown, path: (string | number)[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isScalar(pair.key)) visit(pair.value, [...path, String(pair.key.value)]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => visit(item, [...path, i]));
    } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('$')) {
      const out = expand(node.value, lookup);
      node.value = out.text;
      const at = { file, line: document.locate(path), path: path.join('.') };
      for (const message of out.problems) result.problems.push({ ...at, message });
      if (out.missing.length > 0) result.missing.set(at.path, out.missing);
    }
  };
  visit(document.doc.contents, []);
  return result;
}

/** Looks variables up in `env`, then in `VAR_FILE`; each file is read once per load. */
function variableLookup(env: NodeJS.ProcessEnv): (name: string) => Lookup {
  const files = new Map<string, Lookup>();
  return (name) => {
    const value = env[name];
    if (value !== undefined) return value === '' ? { missing: { name, state: 'empty' } } : { value };
    const path = env[`${name}_FILE`];
    if (path === undefined || path === '') return { missing: { name, state: 'not set' } };
    let hit = files.get(path);
    if (!hit) {
      hit = readSecretFile(name, path);
      files.set(path, hit);
    }
    return hit;
  };
}

function readSecretFile(name: string, path: string): Lookup {
  try {
    const text = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    return text === '' ? { missing: { name, state: 'empty' } } : { value: text };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return { problem: `cannot read ${name}_FILE ${path} (${code})` };
  }
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
