import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DataError } from '../../core/plugin-api/index.js';

/** One `Period` of a day-ahead price `TimeSeries`, checked. */
export interface PricePeriod {
  start: Date;
  end: Date;
  /** Slot length in minutes (15, 30 or 60) and its tag value (`PT15M`, `PT30M`, `PT60M`). */
  minutes: number;
  resolution: string;
  /** A01: every position is present; A03: a position whose price repeats the previous one is omitted. */
  curveType: string;
  currency: string;
  /** EUR (or `currency`) per MWh by position (1-based). */
  prices: Map<number, number>;
  /** Where it sits in the document, for messages: `TimeSeries[0].Period[1]`. */
  where: string;
}

/** A parsed ENTSO-E answer: prices, or an acknowledgement (no data, or a refused request). */
export type EntsoeDocument =
  | { kind: 'prices'; periods: PricePeriod[] }
  | { kind: 'acknowledgement'; code: string; text: string };

const RESOLUTIONS: Record<string, [number, string]> = {
  PT15M: [15, 'PT15M'],
  PT30M: [30, 'PT30M'],
  PT60M: [60, 'PT60M'],
  PT1H: [60, 'PT60M'],
};
/** ENTSO-E writes UTC minutes: 2024-10-05T22:00Z. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?Z$/;

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  // Values stay strings, so a bad number is reported as the text ENTSO-E sent.
  parseTagValue: false,
  isArray: (name) => ['TimeSeries', 'Period', 'Point', 'Reason'].includes(name),
});

type Node = Record<string, unknown>;

function text(node: Node, key: string, where: string): string {
  const v = node[key];
  if (typeof v !== 'string' || !v.trim()) throw new DataError(`${where}.${key} is missing`);
  return v.trim();
}

function instant(node: Node, key: string, where: string): Date {
  const v = text(node, key, where);
  if (!INSTANT.test(v) || Number.isNaN(Date.parse(v))) throw new DataError(`${where}.${key} is not a UTC time (${JSON.stringify(v)})`);
  return new Date(v);
}

/** An element's text; '' for an element with children (an object: `String()` of it says nothing, or throws). */
function textOf(v: unknown): string {
  return typeof v === 'string' ? v.trim() : '';
}

function list(node: Node, key: string): Node[] {
  const v = node[key];
  return Array.isArray(v) ? (v as Node[]) : [];
}

/**
 * Parses an ENTSO-E answer with fast-xml-parser: a `Publication_MarketDocument` (its price
 * periods) or an `Acknowledgement_MarketDocument` (its first reason). `where` names the request
 * in messages (`tomorrow`).
 * @throws DataError when the body is not XML or not a document this plugin knows, naming what.
 */
export function parseEntsoeXml(xml: string, where: string): EntsoeDocument {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new DataError(`${where}: ENTSO-E sent a body that is not XML (${valid.err.msg} at line ${valid.err.line})`);
  }
  let root: Node;
  try {
    root = parser.parse(xml) as Node;
  } catch (cause) {
    // The validator lets a few broken tags through (`<VCALENDAR/`, `<:/`) that the parser then
    // trips over; its own words name its internals ("readTagExp returned undefined"), not the body.
    throw new DataError(`${where}: ENTSO-E sent a body that is not XML (a broken tag near the start: ${JSON.stringify(xml.slice(0, 40))})`, { cause });
  }
  const ack = root.Acknowledgement_MarketDocument as Node | undefined;
  if (ack && typeof ack === 'object') {
    const reason = list(ack, 'Reason')[0] ?? {};
    return { kind: 'acknowledgement', code: textOf(reason.code), text: textOf(reason.text) };
  }
  const doc = root.Publication_MarketDocument as Node | undefined;
  if (!doc || typeof doc !== 'object') {
    const found = Object.keys(root).filter((k) => !k.startsWith('?')).join(', ') || 'nothing';
    throw new DataError(`${where}: expected a Publication_MarketDocument, found ${found}`);
  }
  return { kind: 'prices', periods: readSeries(list(doc, 'TimeSeries'), where) };
}

/**
 * DE-LU can answer several TimeSeries for one day: only the one whose
 * classificationSequence_AttributeInstanceComponent.position is 1 holds the day-ahead prices.
 */
function readSeries(series: Node[], where: string): PricePeriod[] {
  const periods: PricePeriod[] = [];
  series.forEach((ts, i) => {
    const at = `${where}: TimeSeries[${i}]`;
    const position = ts['classificationSequence_AttributeInstanceComponent.position'];
    if (position !== undefined && textOf(position) !== '1') return;
    const currency = text(ts, 'currency_Unit.name', at);
    const unit = text(ts, 'price_Measure_Unit.name', at);
    if (unit !== 'MWH') throw new DataError(`${at}.price_Measure_Unit.name is ${JSON.stringify(unit)}, not MWH`);
    const curveType = typeof ts.curveType === 'string' ? ts.curveType.trim() : 'A01';
    list(ts, 'Period').forEach((p, j) => periods.push(readPeriod(p, `${at}.Period[${j}]`, currency, curveType)));
  });
  return periods;
}

function readPeriod(period: Node, where: string, currency: string, curveType: string): PricePeriod {
  const interval = period.timeInterval as Node | undefined;
  if (!interval || typeof interval !== 'object') throw new DataError(`${where}.timeInterval is missing`);
  const start = instant(interval, 'start', `${where}.timeInterval`);
  const end = instant(interval, 'end', `${where}.timeInterval`);
  const res = text(period, 'resolution', where);
  const known = RESOLUTIONS[res];
  if (!known) throw new DataError(`${where}.resolution ${JSON.stringify(res)} is not PT15M, PT30M or PT60M`);
  const prices = new Map<number, number>();
  list(period, 'Point').forEach((point, k) => {
    const at = `${where}.Point[${k}]`;
    const pos = text(point, 'position', at);
    const amount = text(point, 'price.amount', at);
    if (!/^\d+$/.test(pos)) throw new DataError(`${at}.position is not a whole number (${JSON.stringify(pos)})`);
    const value = Number(amount);
    if (!/^-?\d+(\.\d+)?$/.test(amount) || !Number.isFinite(value)) {
      throw new DataError(`${at}.price.amount is not a number (${JSON.stringify(amount)})`);
    }
    if (prices.has(Number(pos))) throw new DataError(`${at}.position ${pos} appears twice`);
    prices.set(Number(pos), value);
  });
  return { start, end, minutes: known[0], resolution: known[1], curveType, currency, prices, where };
}
