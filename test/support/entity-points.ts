import { readdirSync, readFileSync, existsSync } from 'node:fs';
import type { EntityDeclaration } from '../../core/plugin-api/index.js';
import type { GoldenCase } from './golden-cases.js';

/** A point as a golden case writes it: JSON fields (`{ int: n }` for an integer), an ISO time. */
export interface PlainPoint {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, unknown>;
  time: string;
}

/** One line of line protocol without escapes (what the golden cases hold) as a point. */
function fromLine(line: string): PlainPoint {
  const [series, fieldText, ns] = line.split(' ');
  const [measurement, ...tagPairs] = series!.split(',');
  const pairs = (parts: string[]) => parts.map((p) => p.split('=') as [string, string]);
  const fields = Object.fromEntries(pairs(fieldText!.split(',')).map(([k, v]) => [k, /^-?[\d.]+$/.test(v) ? Number(v) : v]));
  return { measurement: measurement!, tags: Object.fromEntries(pairs(tagPairs)), fields, time: new Date(Number(BigInt(ns!) / 1_000_000n)).toISOString() };
}

/** Every golden case of a plugin (its `golden/` and `golden/cases/` folders) with the points it expects. */
export function goldenPoints(pluginDir: URL): { file: string; now: string; points: PlainPoint[] }[] {
  const found = [];
  for (const dir of [new URL('golden/', pluginDir), new URL('golden/cases/', pluginDir)]) {
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const golden = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as Partial<GoldenCase<unknown>>;
      if (!golden.expect || !golden.now) continue;
      const points = (golden.expect.points as PlainPoint[] | undefined) ?? golden.expect.lines?.map(fromLine) ?? [];
      found.push({ file, now: golden.now, points });
    }
  }
  return found;
}

/** The points an entity reads: its measurement, its tags, and its field (or any, for `value: 'time'`). */
export function entityPoints(e: EntityDeclaration, points: readonly PlainPoint[]): PlainPoint[] {
  return points.filter(
    (p) =>
      p.measurement === e.measurement &&
      Object.entries(e.tags ?? {}).every(([k, v]) => p.tags[k] === v) &&
      (e.per_tag === undefined || p.tags[e.per_tag] !== undefined) &&
      (e.value === 'time' || (e.field !== undefined && p.fields[e.field] !== undefined)),
  );
}

/** The point an entity shows at `now` (see EntityDeclaration.pick), if any. */
export function pickedPoint(e: EntityDeclaration, points: readonly PlainPoint[], now: string): PlainPoint | undefined {
  const t = Date.parse(now);
  const sorted = [...points].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  if (e.pick === 'next') return sorted.find((p) => Date.parse(p.time) > t);
  return sorted.filter((p) => Date.parse(p.time) <= t).at(-1) ?? sorted[0];
}
