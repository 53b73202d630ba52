import { readFile } from 'node:fs/promises';
import { Document, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { ConfigProblem, Locate } from './types.js';

/** A parsed config file with what is needed to point at its lines. */
export interface ConfigDocument {
  doc: Document;
  /** The file's text, for a {@link lazyLocate} that outlives the document. */
  text: string;
  locate: Locate;
  /** The 1-based line of a character offset in the file. */
  lineAt(offset: number): number;
}

/** The outcome of reading a file: the document, or the problems that prevent using it at all. */
export type ReadOutcome = { ok: true; document: ConfigDocument } | { ok: false; problems: ConfigProblem[]; cause?: unknown };

/**
 * Reads and parses a YAML config file. A missing or unreadable file, a syntax error (each with
 * its line) and an empty file are problems. Duplicate keys are left to {@link duplicateKeyProblems}.
 */
export async function readConfigDocument(file: string): Promise<ReadOutcome> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? `config file not found: ${file}` : `cannot read the config file (${code ?? 'error'})`;
    return { ok: false, problems: [{ file, path: '', message }], cause: err };
  }
  const lineCounter = new LineCounter();
  // uniqueKeys off: duplicates are reported with their key path (a duplicate source id reads better).
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  if (doc.errors.length > 0) {
    // An error found at the end of the text (an unclosed `[` or quote) is told at the last line
    // that has anything on it, not on the empty line after the final newline.
    const lastChar = Math.max(0, text.trimEnd().length - 1);
    const problems = doc.errors.map((e) => ({ file, line: lineAt(Math.min(e.pos[0], lastChar)), path: '', message: `invalid YAML: ${firstLine(e.message)}` }));
    return { ok: false, problems, cause: doc.errors[0] };
  }
  if (doc.contents === null) {
    return { ok: false, problems: [{ file, path: '', message: 'the config file is empty (expected a map with server, storage and sources)' }] };
  }
  if (!isMap(doc.contents)) {
    const line = doc.contents.range ? lineAt(doc.contents.range[0]) : undefined;
    return { ok: false, problems: [{ file, line, path: '', message: 'expected a map with server, storage and sources at the top level' }] };
  }
  return { ok: true, document: { doc, text, lineAt, locate: (path) => locateIn(doc, path, lineAt) } };
}

/**
 * A Locate for after loading, when problems are rare (a plugin's options found wrong later): it
 * parses the text again on its first call instead of keeping the document. A document with line
 * positions costs about 2.5 KB per source, 25 MB for 10,000 sources (test/bench/scale.ts).
 */
export function lazyLocate(text: string): Locate {
  let located: Locate | undefined;
  return (path) => {
    if (!located) {
      const lineCounter = new LineCounter();
      const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
      const lineAt = (offset: number) => lineCounter.linePos(offset).line;
      located = (p) => locateIn(doc, p, lineAt);
    }
    return located(path);
  };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

/** The start offset of a key or value node. */
function startOf(node: unknown): number | undefined {
  const range = (node as Node | null)?.range;
  return range ? range[0] : undefined;
}

/** Walks the key path; each step's key line is kept, so a missing tail yields its nearest ancestor. */
function locateIn(doc: Document, path: readonly (string | number)[], lineAt: (offset: number) => number): number | undefined {
  let node: unknown = doc.contents;
  let found: number | undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      found = startOf(pair.key) ?? found;
      node = pair.value;
    } else if (isSeq(node) && /^\d+$/.test(String(segment))) {
      const item = node.items[Number(segment)];
      if (item === undefined) break;
      found = startOf(item) ?? found;
      node = item;
    } else {
      break;
    }
  }
  return found === undefined ? undefined : lineAt(found);
}

/**
 * Keys given twice in one map. Under `sources` that is a duplicate source id, said so; anywhere
 * else a duplicate key. Each names the line of the first occurrence.
 */
export function duplicateKeyProblems(document: ConfigDocument, file: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const visit = (node: unknown, path: (string | number)[]): void => {
    if (isSeq(node)) node.items.forEach((item, i) => visit(item, [...path, i]));
    if (!isMap(node)) return;
    const seen = new Set<string>();
    node.items.forEach((pair, index) => {
      if (!isPair(pair) || !isScalar(pair.key)) return;
      const key = String(pair.key.value);
      const here = [...path, key];
      if (seen.has(key)) {
        const line = lineOfKey(document, node.items.slice(0, index), key);
        const what = path.length === 1 && path[0] === 'sources' ? 'duplicate source id' : 'duplicate key';
        problems.push({ file, line: lineOfPair(document, pair), path: here.join('.'), message: `${what} (first given at line ${line})` });
      } else {
        seen.add(key);
      }
      visit(pair.value, here);
    });
  };
  visit(document.doc.contents, []);
  return problems;
}

function lineOfPair(document: ConfigDocument, pair: { key: unknown }): number | undefined {
  const start = startOf(pair.key);
  return start === undefined ? undefined : document.lineAt(start);
}

function lineOfKey(document: ConfigDocument, pairs: unknown[], key: string): number | undefined {
  const pair = pairs.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
  return pair && isPair(pair) ? lineOfPair(document, pair) : undefined;
}
