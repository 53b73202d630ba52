import { isTimeZone } from '../plugin-api/zoned-time.js';
import type { PluginDeclaration } from '../plugin-api/plugin.js';
import { parseLoadDuration, parseTimeSpec, TIME_SPEC_EXPECTED } from '../planner/time-spec.js';
import type { ConfigProblem, Locate, PlannerConfig, PlannerTask } from './types.js';

/**
 * The rules of `planner` (CONTRACT §8) that the schema cannot say: which sources exist, time zone,
 * durations and time specs, weights of signals the planner has. They run after the schema filled
 * in the defaults.
 */

type Raw = Record<string, unknown>;

interface Scope {
  file: string;
  locate: Locate;
}

/** What each signal needs its source's plugin to write. */
export const SIGNAL_MEASUREMENTS = { carbon: 'carbon_intensity', price: 'electricity_price' } as const;
type Signal = keyof typeof SIGNAL_MEASUREMENTS;
const SIGNALS = Object.keys(SIGNAL_MEASUREMENTS) as Signal[];

function problem(scope: Scope, path: (string | number)[], message: string): ConfigProblem {
  return { file: scope.file, line: scope.locate(path), path: path.join('.'), message };
}

/** The host's own time zone, the default of `planner.time_zone`. */
export function hostTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Problems of `planner` given the file's source ids. */
export function plannerProblems(planner: Raw, sourceIds: readonly string[], scope: Scope): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const signals = SIGNALS.filter((s) => typeof planner[s] === 'string');
  if (signals.length === 0) problems.push(problem(scope, ['planner'], 'names no signal: give carbon and/or price (a source id)'));
  for (const s of signals) {
    const id = planner[s] as string;
    if (!sourceIds.includes(id)) problems.push(problem(scope, ['planner', s], `unknown source "${id}" (sources: ${sourceIds.join(', ') || 'none'})`));
  }
  if (typeof planner.time_zone === 'string' && !isTimeZone(planner.time_zone)) {
    problems.push(problem(scope, ['planner', 'time_zone'], 'is not a time zone known here (expected an IANA name like Europe/Berlin)'));
  }
  const zone = typeof planner.time_zone === 'string' && isTimeZone(planner.time_zone) ? planner.time_zone : 'UTC';
  const tasks = (planner.tasks ?? {}) as Record<string, Raw>;
  for (const [name, task] of Object.entries(tasks)) problems.push(...taskProblems(name, task, signals, zone, scope));
  return problems;
}

function taskProblems(name: string, task: Raw, signals: Signal[], zone: string, scope: Scope): ConfigProblem[] {
  if (task === null || typeof task !== 'object') return [];
  const at = ['planner', 'tasks', name];
  const problems: ConfigProblem[] = [];
  if (typeof task.duration === 'string') {
    const duration = parseLoadDuration(task.duration);
    if (typeof duration === 'string') problems.push(problem(scope, [...at, 'duration'], duration));
  }
  for (const key of ['deadline', 'not_before']) {
    const value = task[key];
    if (typeof value === 'string' && !parseTimeSpec(value, zone)) problems.push(problem(scope, [...at, key], TIME_SPEC_EXPECTED));
  }
  const weights = task.weights as Partial<Record<Signal, number>> | undefined;
  if (weights && typeof weights === 'object') {
    for (const s of SIGNALS) {
      if (weights[s] !== undefined && !signals.includes(s) && weights[s]! > 0) problems.push(problem(scope, [...at, 'weights', s], `the planner has no ${s} source (planner.${s})`));
    }
    if (signals.every((s) => !((weights[s] ?? 0) > 0))) problems.push(problem(scope, [...at, 'weights'], 'at least one signal the planner has needs a weight above 0'));
  }
  return problems;
}

/** The validated `planner` section as a PlannerConfig. Only called when there were no problems. */
export function buildPlanner(planner: Raw): PlannerConfig {
  const signals = SIGNALS.filter((s) => typeof planner[s] === 'string');
  const tasks: Record<string, PlannerTask> = {};
  for (const [name, raw] of Object.entries((planner.tasks ?? {}) as Record<string, Raw>)) {
    const given = raw.weights as Partial<Record<Signal, number>> | undefined;
    const weight = (s: Signal) => (!signals.includes(s) ? 0 : given ? (given[s] ?? 0) : 1);
    tasks[name] = {
      name,
      duration_ms: parseLoadDuration(raw.duration as string) as number,
      ...(typeof raw.deadline === 'string' ? { deadline: raw.deadline } : {}),
      ...(typeof raw.not_before === 'string' ? { not_before: raw.not_before } : {}),
      ...(typeof raw.energy_kwh === 'number' ? { energy_kwh: raw.energy_kwh } : {}),
      weights: { carbon: weight('carbon'), price: weight('price') },
      contiguous: raw.contiguous as boolean,
      max_segments: raw.max_segments as number,
    };
  }
  return {
    ...(signals.includes('carbon') ? { carbon: planner.carbon as string } : {}),
    ...(signals.includes('price') ? { price: planner.price as string } : {}),
    time_zone: (planner.time_zone as string | undefined) ?? hostTimeZone(),
    tasks,
  };
}

/**
 * A signal source whose plugin declares what it writes (`writes`) and not the signal's
 * measurement: a problem at `planner.<signal>`. A plugin that declares nothing (what it writes
 * depends on its options) is taken at its word later: the planner then reports no data.
 */
export function signalPluginProblems(planner: PlannerConfig, plugins: ReadonlyMap<string, PluginDeclaration>, scope: Scope): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const s of SIGNALS) {
    const id = planner[s];
    const plugin = id === undefined ? undefined : plugins.get(id);
    const writes = plugin?.writes;
    if (!plugin || writes === undefined || writes.includes(SIGNAL_MEASUREMENTS[s])) continue;
    problems.push(problem(scope, ['planner', s], `source "${id}" (plugin ${plugin.id}) writes no ${SIGNAL_MEASUREMENTS[s]} series (it writes ${writes.join(', ') || 'nothing declared'})`));
  }
  return problems;
}
