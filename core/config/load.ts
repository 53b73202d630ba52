import { hostname } from 'node:os';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import { parseDuration } from '../plugin-api/duration.js';
import { ajvProblems } from './ajv-problems.js';
import { ConfigFileError } from './config-file-error.js';
import { HostConfigSchema } from './host-schema.js';
import { envOverrides, influxProblems, schedulerProblems, sourceProblems, spoolMaxBytes, type EnvOverrides, type RuleScope } from './host-rules.js';
import { buildPlanner, plannerProblems } from './planner-rules.js';
import { createSchemaValidator } from './schema-validator.js';
import { noteMissingVariables, rememberMissing, substituteEnv } from './substitution.js';
import type { ConfigProblem, HostConfig, InfluxConfig, Locate, MqttConfig, RedisSchedulerConfig, SchedulerConfig, SourceConfig } from './types.js';
import { duplicateKeyProblems, lazyLocate, readConfigDocument, type ConfigDocument } from './yaml-document.js';

export { ConfigFileError, formatProblem } from './config-file-error.js';

/** A loaded config file, and the way back from a key path to its line for problems found later. */
export interface LoadedConfig {
  config: HostConfig;
  /** The 1-based line of a key path (or of its nearest ancestor in the file); undefined when unknown. */
  locate: Locate;
}

type Raw = Record<string, unknown>;

let validateHost: ValidateFunction | undefined;

/**
 * Reads, substitutes (`${VAR}`, `${VAR:-default}`, `VAR_FILE`) and validates a config file
 * (CONTRACT §2), applying the defaults and the PORT and LOG_LEVEL overrides.
 *
 * @param file the YAML file; relative paths are taken from the working directory.
 * @param env where variables come from.
 * @throws ConfigFileError listing every problem of the file, one `FILE:LINE: key.path: expected` a line.
 */
export async function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  const abs = path.resolve(file);
  const read = await readConfigDocument(abs);
  if (!read.ok) throw new ConfigFileError(read.problems, { cause: read.cause });
  const { document } = read;
  const scope: RuleScope = { file: abs, locate: document.locate };
  const substitution = await substituteEnv(document, env, abs);
  const problems = [...duplicateKeyProblems(document, abs), ...substitution.problems];
  const raw = toPlain(document, scope, problems);
  // The schema first: it fills in the defaults the rules read.
  const shape = schemaProblems(raw, scope);
  const checked = ruleProblems(raw, scope);
  const overrides = envOverrides(env, scope);
  // A value whose substitution failed is reported for that alone, not also as empty.
  const failed = new Set(substitution.problems.map((p) => p.path));
  const later = [...shape, ...checked.problems, ...overrides.problems];
  problems.push(...later.filter((p) => !failed.has(p.path)));
  if (problems.length > 0) throw new ConfigFileError(noteMissingVariables(unique(problems), substitution.missing));
  const config = buildConfig(raw, abs, overrides, checked.spoolBytes);
  for (const source of Object.values(config.sources)) rememberMissing(source, substitution.missing);
  // The document is let go: a LoadedConfig lives as long as the host.
  return { config, locate: lazyLocate(document.text) };
}

/** The document as plain data; sections left empty in YAML (`sources:`) count as not given. */
function toPlain(document: ConfigDocument, scope: RuleScope, problems: ConfigProblem[]): Raw {
  let raw: Raw;
  try {
    raw = (document.doc.toJS({ maxAliasCount: 1000 }) ?? {}) as Raw;
  } catch (err) {
    problems.push({ file: scope.file, path: '', message: `invalid YAML: ${(err as Error).message}` });
    return {};
  }
  for (const key of ['server', 'log', 'storage', 'mqtt', 'scheduler', 'sources', 'planner']) if (raw[key] === null) delete raw[key];
  const sources = raw.sources;
  if (isObject(sources)) {
    for (const entry of Object.values(sources)) {
      if (!isObject(entry)) continue;
      if (entry.credentials === null) delete entry.credentials;
      if (entry.options === null) delete entry.options;
    }
  }
  return raw;
}

/**
 * The schema and a rule may say the same thing about one value: say it once. An empty value is
 * only said to be empty (not also "not a valid URL").
 */
function unique(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  const empty = new Set(problems.filter((p) => p.message === 'is empty').map((p) => p.path));
  return problems.filter((p) => {
    const key = `${p.path}\0${p.message}`;
    if (seen.has(key) || (empty.has(p.path) && p.message !== 'is empty')) return false;
    seen.add(key);
    return true;
  });
}

function isObject(value: unknown): value is Raw {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Schema validation; fills in the defaults and coerces scalars in place. */
function schemaProblems(raw: Raw, scope: RuleScope): ConfigProblem[] {
  validateHost ??= createSchemaValidator(true).compile(HostConfigSchema);
  if (validateHost(raw)) return [];
  return ajvProblems(validateHost.errors, { ...scope, prefix: [] });
}

function ruleProblems(raw: Raw, scope: RuleScope): { problems: ConfigProblem[]; spoolBytes: number } {
  const problems: ConfigProblem[] = [];
  if (isObject(raw.sources)) problems.push(...sourceProblems(raw.sources, scope));
  const storage = isObject(raw.storage) ? raw.storage : {};
  if (isObject(storage.influxdb)) problems.push(...influxProblems(storage.influxdb, scope));
  if (isObject(raw.scheduler)) problems.push(...schedulerProblems(raw.scheduler, scope));
  if (isObject(raw.planner)) problems.push(...plannerProblems(raw.planner, isObject(raw.sources) ? Object.keys(raw.sources) : [], scope));
  const bytes = spoolMaxBytes(storage.spool_max_bytes, scope);
  if (typeof bytes === 'object') problems.push(bytes);
  return { problems, spoolBytes: typeof bytes === 'number' ? bytes : 0 };
}

/** The validated file as a HostConfig. Only called when there were no problems. */
function buildConfig(raw: Raw, file: string, overrides: EnvOverrides, spoolBytes: number): HostConfig {
  const server = raw.server as { host: string; port: number; max_connections: number };
  const storage = raw.storage as Raw;
  const sources: Record<string, SourceConfig> = {};
  for (const [id, entry] of Object.entries(raw.sources as Record<string, Raw>)) sources[id] = buildSource(id, entry);
  return {
    file,
    server: { host: server.host, port: overrides.port ?? server.port, max_connections: server.max_connections },
    log: { level: overrides.level ?? (raw.log as { level: string }).level },
    storage: {
      ...(storage.influxdb ? { influxdb: { api: 'v2', ...(storage.influxdb as object) } as InfluxConfig } : {}),
      spool_dir: storage.spool_dir as string,
      local_dir: storage.local_dir as string,
      local_retention_ms: parseDuration(storage.local_retention as string)!,
      spool_max_bytes: spoolBytes,
      batch_size: storage.batch_size as number,
      flush_interval_ms: parseDuration(storage.flush_interval as string)!,
    },
    ...(raw.mqtt ? { mqtt: raw.mqtt as MqttConfig } : {}),
    scheduler: buildScheduler(raw.scheduler as Raw),
    sources,
    ...(isObject(raw.planner) ? { planner: buildPlanner(raw.planner) } : {}),
  };
}

function buildScheduler(raw: Raw): SchedulerConfig {
  if (raw.type !== 'redis') return { type: 'local' };
  return { ...(raw as Omit<RedisSchedulerConfig, 'prefix' | 'host_id'>), prefix: (raw.prefix as string | undefined) ?? 'homeiq', host_id: (raw.host_id as string | undefined) ?? hostname() };
}

function buildSource(id: string, entry: Raw): SourceConfig {
  const source: SourceConfig = {
    id,
    plugin: entry.plugin as string,
    enabled: entry.enabled as boolean,
    credentials: entry.credentials as Record<string, string>,
    options: entry.options as Record<string, unknown>,
  };
  if (typeof entry.schedule === 'string') source.schedule = entry.schedule;
  if (typeof entry.interval === 'string') source.interval = entry.interval;
  return source;
}
