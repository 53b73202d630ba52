/**
 * Last-write-wins for line protocol, as InfluxDB does it: lines with the same measurement, tag set
 * and time are one point, whose fields are the union of theirs, a later value replacing an earlier
 * one. Lines come from the client's `Point`, whose tags are sorted, so equal tag sets are equal text.
 */

interface ParsedLine {
  /** Measurement and tags, as written. */
  series: string;
  fields: [key: string, text: string][];
  time: string;
}

/** The index of the first `stop` character at or after `from` that is not escaped or quoted. */
function indexOfPlain(line: string, stop: string, from: number, quotes: boolean): number {
  let quoted = false;
  for (let i = from; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') i++;
    else if (quotes && c === '"') quoted = !quoted;
    else if (c === stop && !quoted) return i;
  }
  return -1;
}

function parseLine(line: string): ParsedLine | null {
  const seriesEnd = indexOfPlain(line, ' ', 0, false);
  const timeStart = line.lastIndexOf(' ') + 1;
  const time = line.slice(timeStart);
  if (seriesEnd <= 0 || timeStart <= seriesEnd + 1 || !/^-?\d+$/.test(time)) return null;
  const fieldText = line.slice(seriesEnd + 1, timeStart - 1);
  const fields: [string, string][] = [];
  for (let at = 0; at <= fieldText.length; ) {
    let end = indexOfPlain(fieldText, ',', at, true);
    if (end < 0) end = fieldText.length;
    const field = fieldText.slice(at, end);
    const eq = indexOfPlain(field, '=', 0, false);
    if (eq <= 0) return null;
    fields.push([field.slice(0, eq), field.slice(eq + 1)]);
    at = end + 1;
  }
  return { series: line.slice(0, seriesEnd), fields, time };
}

/**
 * The lines with every point once, in the order each point first appeared, holding its last
 * value of every field. A line that cannot be parsed (a comment) is kept as it is.
 */
export function compactLines(text: string): string {
  const points = new Map<string, { series: string; time: string; fields: Map<string, string> } | string>();
  let verbatim = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const parsed = parseLine(line);
    if (!parsed) {
      points.set(`\n${verbatim++}`, line);
      continue;
    }
    const key = `${parsed.series} ${parsed.time}`;
    let point = points.get(key);
    if (typeof point !== 'object') {
      point = { series: parsed.series, time: parsed.time, fields: new Map() };
      points.set(key, point);
    }
    for (const [name, value] of parsed.fields) point.fields.set(name, value);
  }
  let out = '';
  for (const point of points.values()) {
    if (typeof point === 'string') out += `${point}\n`;
    else out += `${point.series} ${[...point.fields].map(([k, v]) => `${k}=${v}`).join(',')} ${point.time}\n`;
  }
  return out;
}
