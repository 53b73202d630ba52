import { DataError, type ItemError } from '../../core/plugin-api/index.js';
import { isRealDate } from '../../core/plugin-api/index.js';

/** A feed that passed the checks: its text without the events that failed, and why they did. */
export interface CheckedFeed {
  text: string;
  errors: ItemError[];
}

interface Line {
  text: string;
  /** 1-based line number in the feed as downloaded. */
  at: number;
}

interface EventBlock {
  first: number;
  last: number;
  at: number;
  uid?: string;
  hasStart: boolean;
  problems: string[];
}

const FREQS = new Set(['SECONDLY', 'MINUTELY', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']);
const DATE_VALUE = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$/i;

/**
 * Checks a feed before the parser sees it, because the parser is lenient to a fault (month 13
 * rolls over into the next year, a cut-off file yields half an event). The structure must hold
 * (`BEGIN:VCALENDAR` first, every BEGIN closed by its END): otherwise the whole feed is a
 * `DataError` naming the line. An event with an unreadable date, rule or no UID is dropped with
 * all events of its UID, as an item error, and the rest goes on.
 */
export function checkFeed(raw: string): CheckedFeed {
  const lines = unfold(raw.replace(/^\uFEFF/, ''));
  const first = lines[0];
  if (!first) throw new DataError('the feed is empty');
  if (first.text.trimStart().startsWith('<')) throw new DataError('the feed is an HTML page, not iCalendar: is the address right?');
  if (first.text.trim().toUpperCase() !== 'BEGIN:VCALENDAR') {
    throw new DataError(`line ${first.at}: expected BEGIN:VCALENDAR, found ${JSON.stringify(first.text.slice(0, 40))}`);
  }
  const blocks = scan(lines);
  const badUids = new Set(blocks.filter((b) => b.problems.length > 0 && b.uid !== undefined).map((b) => b.uid!));
  const dropped = blocks.filter((b) => b.problems.length > 0 || (b.uid !== undefined && badUids.has(b.uid)));
  const errors: ItemError[] = dropped
    .filter((b) => b.problems.length > 0)
    .map((b) => ({ item: b.uid !== undefined ? `event ${b.uid}` : `event at line ${b.at}`, error: new DataError(b.problems.join('; ')) }));
  const skip = new Set<number>();
  for (const b of dropped) for (let i = b.first; i <= b.last; i++) skip.add(i);
  return { text: lines.filter((_, i) => !skip.has(i)).map((l) => l.text).join('\r\n'), errors };
}

/** RFC 5545 §3.1: a line starting with a space or tab continues the one before. */
function unfold(raw: string): Line[] {
  const out: Line[] = [];
  raw.split(/\r\n|\n|\r/).forEach((text, i) => {
    const last = out[out.length - 1];
    if ((text.startsWith(' ') || text.startsWith('\t')) && last) last.text += text.slice(1);
    else if (text.trim() !== '') out.push({ text, at: i + 1 });
  });
  return out;
}

/** `NAME;PARAM="a:b":value` → name and value (a colon inside quotes is not the separator). */
function property(text: string): { name: string; value: string } | undefined {
  const name = /^[A-Za-z0-9-]+/.exec(text)?.[0];
  if (!name) return undefined;
  let quoted = false;
  for (let i = name.length; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted;
    else if (text[i] === ':' && !quoted) return { name: name.toUpperCase(), value: text.slice(i + 1) };
  }
  return undefined;
}

function scan(lines: Line[]): EventBlock[] {
  const stack: { name: string; at: number }[] = [];
  const blocks: EventBlock[] = [];
  let block: EventBlock | undefined;
  lines.forEach((line, i) => {
    const p = property(line.text);
    if (!p) return;
    const value = p.value.trim().toUpperCase();
    if (p.name === 'BEGIN') {
      if (value === 'VEVENT' && stack.length === 1) block = { first: i, last: i, at: line.at, hasStart: false, problems: [] };
      stack.push({ name: value, at: line.at });
      return;
    }
    if (p.name === 'END') {
      const open = stack.pop();
      if (!open) throw new DataError(`line ${line.at}: END:${value} without a BEGIN`);
      if (open.name !== value) throw new DataError(`line ${line.at}: END:${value} does not close BEGIN:${open.name} of line ${open.at}`);
      if (block && value === 'VEVENT' && stack.length === 1) {
        block.last = i;
        if (!block.hasStart) block.problems.push(`the event of line ${block.at} has no DTSTART`);
        if (block.uid === undefined) block.problems.push(`the event of line ${block.at} has no UID`);
        blocks.push(block);
        block = undefined;
      }
      return;
    }
    // Properties of the event itself, not of an alarm inside it.
    if (block && stack.length === 2) checkProperty(block, p.name, p.value.trim(), line.at);
  });
  const open = stack.pop();
  if (open) throw new DataError(`BEGIN:${open.name} of line ${open.at} is never closed: the feed is cut short`);
  return blocks;
}

function checkProperty(block: EventBlock, name: string, value: string, at: number): void {
  const bad = (what: string) => block.problems.push(`line ${at}: ${name} ${JSON.stringify(value)} is not ${what}`);
  if (name === 'UID') {
    // A second UID makes the parser's UID a list: which event is this?
    if (block.uid !== undefined) block.problems.push(`line ${at}: a second UID in the event of line ${block.at}`);
    else block.uid = value;
  }
  else if (name === 'DTSTART' || name === 'DTEND' || name === 'RECURRENCE-ID') {
    if (name === 'DTSTART') block.hasStart = true;
    if (!isDateValue(value)) bad('an iCalendar date or date-time');
  } else if (name === 'EXDATE') {
    if (!value.split(',').every((v) => isDateValue(v.trim()))) bad('a list of iCalendar dates or date-times');
  } else if (name === 'RRULE' && !isRule(value)) bad('a recurrence rule (FREQ, COUNT, INTERVAL or UNTIL is wrong)');
}

function isDateValue(value: string): boolean {
  const m = DATE_VALUE.exec(value);
  if (!m) return false;
  if (!isRealDate({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) })) return false;
  return m[4] === undefined || (Number(m[4]) <= 23 && Number(m[5]) <= 59 && Number(m[6]) <= 60);
}

function isRule(value: string): boolean {
  const parts = new Map(
    value.split(';').map((kv) => {
      const [k = '', v = ''] = kv.split('=');
      return [k.trim().toUpperCase(), v.trim()] as const;
    }),
  );
  if (!FREQS.has((parts.get('FREQ') ?? '').toUpperCase())) return false;
  for (const key of ['COUNT', 'INTERVAL']) {
    const v = parts.get(key);
    if (v !== undefined && !(/^\d+$/.test(v) && Number(v) > 0)) return false;
  }
  const until = parts.get('UNTIL');
  return until === undefined || isDateValue(until);
}
