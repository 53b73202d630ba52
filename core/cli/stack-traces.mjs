// Stack traces of the bundle point at the TypeScript sources, through its source map, read when
// the first trace is formatted. Node's own source-map support (`--enable-source-maps`) reads the
// map and measures every line of the 2 MB bundle while it loads: ≈ 40 ms and 1 MiB at every start
// for traces that a healthy host may never print.
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Formats `Error.stack` as V8 does, with frames in `bundle` mapped through `bundle.map`. */
export function mapStackTraces(bundle) {
  const url = pathToFileURL(bundle).href;
  const dir = path.dirname(bundle);
  /** undefined: not read yet; null: missing or unreadable (frames stay as they are). */
  let map;
  const sourceMap = () => {
    if (map !== undefined) return map;
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${bundle}.map`, 'utf8')));
    } catch {
      map = null;
    }
    return map;
  };
  const frameText = (frame) => {
    const text = String(frame);
    const file = frame.getFileName();
    if (file !== url && file !== bundle) return text;
    const line = frame.getLineNumber();
    const column = frame.getColumnNumber();
    const entry = sourceMap()?.findEntry(line - 1, column - 1);
    if (!entry?.originalSource) return text;
    const source = path.resolve(dir, entry.originalSource);
    return text.replace(`${file}:${line}:${column}`, `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`);
  };
  Error.prepareStackTrace = (error, frames) => {
    let head;
    try {
      head = Error.prototype.toString.call(error);
    } catch {
      head = '<error>';
    }
    return head + frames.map((frame) => `\n    at ${frameText(frame)}`).join('');
  };
}
