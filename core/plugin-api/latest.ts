import { isIntField, type Point } from './point.js';

/** One point as `/api/sources/:id/latest` shows it: plain JSON, integers unwrapped. */
export function pointToJson(p: Point): Record<string, unknown> {
  const fields = Object.fromEntries(Object.entries(p.fields).map(([k, v]) => [k, isIntField(v) ? v.int : v]));
  return { measurement: p.measurement, time: p.time.toISOString(), tags: p.tags ?? {}, fields };
}

/** One series (a measurement and a tag set) and the points gathered for it. */
export interface Series {
  points: Point[];
  /** Which gathering (a run, for the runner) the points belong to. */
  round: number;
}

interface SeriesNode {
  series: Series | null;
  /** By tag name, then tag value: the next node. */
  next: Map<string, Map<string, SeriesNode>> | null;
}

/** `Object.keys(o).sort()`, without the sort when the keys already come in order (the usual case). */
function sortedKeys(o: object): string[] {
  const keys = Object.keys(o);
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return keys.sort();
  return keys;
}

/**
 * Finds the series of a point by its measurement and then each tag (names sorted), a map per
 * step: no key string is built for every point of every run (that was most of the cost of the
 * runner's `/latest` bookkeeping), and no two series can meet, whatever their tag values.
 */
export class SeriesIndex {
  private readonly byMeasurement = new Map<string, SeriesNode>();
  /** Every series, in the order it was first seen. */
  readonly all: Series[] = [];

  find(p: Point): Series {
    let node = this.byMeasurement.get(p.measurement);
    if (!node) this.byMeasurement.set(p.measurement, (node = newNode()));
    const tags = p.tags;
    if (tags) for (const name of sortedKeys(tags)) node = childOf(node, name, tags[name]!);
    if (!node.series) this.all.push((node.series = { points: [], round: -1 }));
    return node.series;
  }
}

function newNode(): SeriesNode {
  return { series: null, next: null };
}

function childOf(node: SeriesNode, name: string, value: string): SeriesNode {
  const next = (node.next ??= new Map());
  let byValue = next.get(name);
  if (!byValue) next.set(name, (byValue = new Map()));
  let child = byValue.get(value);
  if (!child) byValue.set(value, (child = newNode()));
  return child;
}

/** The points of each series (measurement and tag set), in order, the series as first seen. */
export function groupBySeries(points: readonly Point[]): Point[][] {
  const index = new SeriesIndex();
  for (const p of points) index.find(p).points.push(p);
  return index.all.map((s) => s.points);
}

/** The host's default shape of `/api/sources/:id/latest`: the newest point of each series. */
export function latestPerSeries(points: readonly Point[]): { points: Record<string, unknown>[] } {
  return {
    points: groupBySeries(points).map((list) => pointToJson(list.reduce((a, b) => (b.time > a.time ? b : a)))),
  };
}

/**
 * Per series, the point whose interval `[time, time + durationMs(point))` holds `now` (`points`)
 * and the first point after `now` (`next`): what a sensor wants from a forecast or a price curve,
 * whose newest point lies in the future.
 */
export function currentAndNext(
  points: readonly Point[],
  now: Date,
  durationMs: (p: Point) => number,
): { points: Record<string, unknown>[]; next: Record<string, unknown>[] } {
  const current: Record<string, unknown>[] = [];
  const next: Record<string, unknown>[] = [];
  const t = now.getTime();
  for (const list of groupBySeries(points)) {
    const sorted = [...list].sort((a, b) => a.time.getTime() - b.time.getTime());
    const holding = sorted.find((p) => p.time.getTime() <= t && t < p.time.getTime() + durationMs(p));
    const after = sorted.find((p) => p.time.getTime() > t);
    if (holding) current.push(pointToJson(holding));
    if (after) next.push(pointToJson(after));
  }
  return { points: current, next };
}

/**
 * {@link currentAndNext} for a curve whose points carry their slot length as an ISO 8601
 * `resolution` tag (`PT15M`, `PT60M`): the price plugins' `latest`.
 */
export function currentAndNextByResolution(points: readonly Point[], now: Date): ReturnType<typeof currentAndNext> {
  return currentAndNext(points, now, (p) => isoDurationMs(p.tags?.resolution));
}

/** Milliseconds of an ISO 8601 duration such as `PT15M`, `PT1H` or `P1D`; 0 when it is not one. */
export function isoDurationMs(text: string | undefined): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(text ?? '');
  if (!m || text === 'P' || text === 'PT') return 0;
  const [, d = '0', h = '0', min = '0', s = '0'] = m;
  return ((Number(d) * 24 + Number(h)) * 60 + Number(min)) * 60_000 + Number(s) * 1000;
}
