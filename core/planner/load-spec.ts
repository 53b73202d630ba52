import type { PlannerTask } from '../config/types.js';
import { MAX_SEGMENTS } from '../config/planner-schema.js';
import type { PerSignal, SignalName } from './best-window.js';
import { parseLoadDuration, parseTimeSpec, TIME_SPEC_EXPECTED, type TimeSpec } from './time-spec.js';

/** A load to plan: a task of the config, or the parameters of `GET /api/planner/best-window`. */
export interface LoadSpec {
  durationMs: number;
  deadline?: TimeSpec;
  notBefore?: TimeSpec;
  energyKwh?: number;
  weights: PerSignal<number>;
  contiguous: boolean;
  maxSegments: number;
}

/** A bad parameter: the API answers 400 naming it. */
export class LoadSpecError extends Error {
  readonly status = 400;
  readonly expose = true;
  constructor(
    readonly parameter: string,
    detail: string,
  ) {
    super(`${parameter}: ${detail}`);
  }
}

/** The query parameters of `best-window` (CONTRACT §8). */
export const QUERY_PARAMETERS = ['duration', 'deadline', 'not_before', 'carbon_weight', 'price_weight', 'energy_kwh', 'contiguous', 'max_segments'] as const;

/** A task's spec; its time specs were checked when the config was loaded. */
export function taskSpec(task: PlannerTask, zone: string): LoadSpec {
  return {
    durationMs: task.duration_ms,
    ...(task.deadline ? { deadline: parseTimeSpec(task.deadline, zone)! } : {}),
    ...(task.not_before ? { notBefore: parseTimeSpec(task.not_before, zone)! } : {}),
    ...(task.energy_kwh !== undefined ? { energyKwh: task.energy_kwh } : {}),
    weights: { ...task.weights },
    contiguous: task.contiguous,
    maxSegments: task.max_segments,
  };
}

type Query = Record<string, string | string[] | undefined>;

function one(query: Query, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw new LoadSpecError(name, 'given more than once');
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function number(query: Query, name: string, check: (n: number) => boolean, expected: string): number | undefined {
  const text = one(query, name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || !check(n)) throw new LoadSpecError(name, `expected ${expected}, got "${text}"`);
  return n;
}

function timeSpec(query: Query, name: string, zone: string): TimeSpec | undefined {
  const text = one(query, name);
  if (text === undefined) return undefined;
  const spec = parseTimeSpec(text, zone);
  if (!spec) throw new LoadSpecError(name, `${TIME_SPEC_EXPECTED}, got "${text}"`);
  return spec;
}

/**
 * The spec of a `best-window` query, checked: throws LoadSpecError naming the first bad parameter.
 * `signals` are those the planner has: a weight above 0 for another one is an error; without
 * weights each signal it has weighs the same.
 */
export function querySpec(query: Query, signals: readonly SignalName[], zone: string, now: number): LoadSpec {
  const unknown = Object.keys(query).find((key) => !(QUERY_PARAMETERS as readonly string[]).includes(key) && key !== 'pretty');
  if (unknown) throw new LoadSpecError(unknown, `unknown parameter (expected: ${QUERY_PARAMETERS.join(', ')})`);
  const durationText = one(query, 'duration');
  if (durationText === undefined) throw new LoadSpecError('duration', 'is required, e.g. duration=2h');
  const durationMs = parseLoadDuration(durationText);
  if (typeof durationMs === 'string') throw new LoadSpecError('duration', `${durationMs}, got "${durationText}"`);
  const deadline = timeSpec(query, 'deadline', zone);
  if (deadline && 'at' in deadline && deadline.at <= now) throw new LoadSpecError('deadline', `${new Date(deadline.at).toISOString()} is in the past`);
  const notBefore = timeSpec(query, 'not_before', zone);
  const energyKwh = number(query, 'energy_kwh', (n) => n > 0, 'a number above 0');
  const contiguousText = one(query, 'contiguous');
  if (contiguousText !== undefined && !['true', 'false'].includes(contiguousText)) throw new LoadSpecError('contiguous', `expected true or false, got "${contiguousText}"`);
  const maxSegments = number(query, 'max_segments', (n) => Number.isInteger(n) && n >= 1 && n <= MAX_SEGMENTS, `an integer from 1 to ${MAX_SEGMENTS}`);
  return {
    durationMs,
    ...(deadline ? { deadline } : {}),
    ...(notBefore ? { notBefore } : {}),
    ...(energyKwh !== undefined ? { energyKwh } : {}),
    weights: queryWeights(query, signals),
    contiguous: contiguousText !== 'false',
    maxSegments: maxSegments ?? 3,
  };
}

function queryWeights(query: Query, signals: readonly SignalName[]): PerSignal<number> {
  const given: PerSignal<number> = {};
  for (const s of ['carbon', 'price'] as const) {
    const w = number(query, `${s}_weight`, (n) => n >= 0, 'a number of 0 or more');
    if (w === undefined) continue;
    if (w > 0 && !signals.includes(s)) throw new LoadSpecError(`${s}_weight`, `the planner has no ${s} source`);
    given[s] = w;
  }
  const anyGiven = Object.keys(given).length > 0;
  const weights: PerSignal<number> = {};
  for (const s of signals) weights[s] = anyGiven ? (given[s] ?? 0) : 1;
  if (anyGiven && !signals.some((s) => weights[s]! > 0)) throw new LoadSpecError(signals.length > 1 ? 'carbon_weight' : `${signals[0]}_weight`, 'at least one weight must be above 0');
  return weights;
}
