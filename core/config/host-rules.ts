import { validateDetailed } from 'node-cron';
import { parseDuration } from '../plugin-api/duration.js';
import { LOG_LEVELS, SOURCE_ID_PATTERN } from './host-schema.js';
import { parseSize } from './size.js';
import type { ConfigProblem, Locate } from './types.js';

/**
 * The rules of CONTRACT §2 that a JSON Schema cannot say well: source ids, cron fields, schedule
 * versus interval, InfluxDB's required keys per API version, sizes and the environment overrides.
 * They run on the file after schema validation filled in the defaults.
 */
export interface RuleScope {
  file: string;
  locate: Locate;
}

type Raw = Record<string, unknown>;

function problem(scope: RuleScope, path: (string | number)[], message: string): ConfigProblem {
  return { file: scope.file, line: scope.locate(path), path: path.join('.'), message };
}

/** A problem that comes from the environment: the file's line would point at the wrong culprit. */
function envProblem(scope: RuleScope, path: string[], message: string): ConfigProblem {
  return { file: scope.file, path: path.join('.'), message };
}

const SOURCE_ID = new RegExp(SOURCE_ID_PATTERN);

/** Problems of each source that its schema entry does not catch. */
export function sourceProblems(sources: Raw, scope: RuleScope): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  // Sources mostly share a few expressions; node-cron's check costs about 40 µs and 11 KB each
  // (0.4 s and 115 MB of garbage for 10,000 sources: test/bench/scale.ts).
  const cronChecks = new Map<string, CronCheck>();
  for (const [id, entry] of Object.entries(sources)) {
    if (!SOURCE_ID.test(id)) {
      problems.push(problem(scope, ['sources', id], 'invalid source id (expected lowercase letters, digits, _ and -, starting with a letter or digit)'));
    }
    if (entry === null || typeof entry !== 'object') continue;
    problems.push(...timingProblems(id, entry as Raw, scope, cronChecks));
  }
  return problems;
}

type CronCheck = ReturnType<typeof validateDetailed>;

const FIELD_NAMES: Record<string, string> = { dayOfMonth: 'day-of-month', dayOfWeek: 'day-of-week' };

function timingProblems(id: string, source: Raw, scope: RuleScope, cronChecks: Map<string, CronCheck>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const { schedule, interval } = source;
  if (schedule !== undefined && interval !== undefined) {
    problems.push(problem(scope, ['sources', id, 'interval'], 'cannot be given together with schedule (give one of them)'));
  }
  if (typeof schedule === 'string' && schedule !== '') {
    let result = cronChecks.get(schedule);
    if (!result) cronChecks.set(schedule, (result = validateDetailed(schedule)));
    const first = result.errors[0];
    if (!result.valid && first) {
      const why =
        first.field === 'expression'
          ? first.message
          : `the ${FIELD_NAMES[first.field] ?? first.field} field${first.value === undefined ? '' : ` "${first.value}"`} is not valid`;
      problems.push(problem(scope, ['sources', id, 'schedule'], `is not a valid cron expression: ${why}`));
    }
  }
  const ms = typeof interval === 'string' ? parseDuration(interval) : undefined;
  if (ms !== undefined && ms < 1000) problems.push(problem(scope, ['sources', id, 'interval'], 'must be at least 1s'));
  return problems;
}

const INFLUX_REQUIRED = { v1: ['url', 'database'], v2: ['url', 'token', 'org', 'bucket'] } as const;

/** `storage.influxdb`: v2 needs url, token, org and bucket; v1 needs url and database. */
export function influxProblems(influx: Raw, scope: RuleScope): ConfigProblem[] {
  const api = influx.api;
  // Defaults made it v1 or v2; anything else is the schema's to report, and what it needs unknown.
  if (api !== 'v1' && api !== 'v2') return [];
  const problems: ConfigProblem[] = [];
  for (const key of INFLUX_REQUIRED[api]) {
    const value = influx[key];
    const path = ['storage', 'influxdb', key];
    if (value === undefined) problems.push(problem(scope, path, `is required for api ${api}`));
    else if (value === '') problems.push(problem(scope, path, 'is empty'));
  }
  return problems;
}

const REDIS_ONLY_KEYS = ['url', 'username', 'password', 'prefix', 'host_id'] as const;

/** `scheduler`: redis needs a url; the redis keys under type local would silently do nothing. */
export function schedulerProblems(scheduler: Raw, scope: RuleScope): ConfigProblem[] {
  if (scheduler.type === 'redis') {
    return scheduler.url === undefined ? [problem(scope, ['scheduler', 'url'], 'is required for type redis')] : [];
  }
  if (scheduler.type !== 'local') return [];
  return REDIS_ONLY_KEYS.filter((key) => scheduler[key] !== undefined).map((key) => problem(scope, ['scheduler', key], 'is used only with type redis'));
}

/** `storage.spool_max_bytes` in bytes, from an integer or a size string. */
export function spoolMaxBytes(value: unknown, scope: RuleScope): number | ConfigProblem | undefined {
  // Other types are the schema's to report.
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  const bytes = parseSize(value);
  if (bytes === undefined || bytes < 1) return problem(scope, ['storage', 'spool_max_bytes'], 'is not a size like 1GiB or 500MB');
  return bytes;
}

/** What PORT and LOG_LEVEL override; a value that cannot be used is a problem naming the variable. */
export interface EnvOverrides {
  port?: number;
  level?: string;
  problems: ConfigProblem[];
}

/** Reads PORT and LOG_LEVEL; empty ones are ignored. */
export function envOverrides(env: NodeJS.ProcessEnv, scope: RuleScope): EnvOverrides {
  const out: EnvOverrides = { problems: [] };
  const port = env.PORT?.trim();
  if (port) {
    const n = /^\d+$/.test(port) ? Number(port) : NaN;
    if (n >= 1 && n <= 65535) out.port = n;
    else out.problems.push(envProblem(scope, ['server', 'port'], `environment variable PORT is not a port number (expected an integer between 1 and 65535)`));
  }
  const level = env.LOG_LEVEL?.trim();
  if (level) {
    if ((LOG_LEVELS as readonly string[]).includes(level)) out.level = level;
    else out.problems.push(envProblem(scope, ['log', 'level'], `environment variable LOG_LEVEL must be one of: ${LOG_LEVELS.join(', ')}`));
  }
  return out;
}
