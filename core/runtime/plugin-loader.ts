import { execFile } from 'node:child_process';
import { existsSync, statSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { PluginCommand } from '../plugin-api/command.js';
import { entityDeclarationProblems } from '../mqtt/ha-rules.js';
import { packagePath } from '../paths.js';
import { ConfigError } from '../plugin-api/errors.js';
import { SUPPORTED_API_VERSIONS, type PluginDeclaration } from '../plugin-api/plugin.js';

/** The plugin named in the config does not exist: a config error (exit 2). */
export class PluginNotFoundError extends ConfigError {}

/** The plugin exists but cannot be used: only its own sources go to `error`. */
export class PluginLoadError extends Error {}

const ID = /^[a-z0-9][a-z0-9_-]*$/;
const STYLES = ['api_key', 'login', 'oauth2_refresh'];

/**
 * Finds plugins: built-in ones by id from an explicit list, drop-in ones by path (a file, or a
 * folder with package.json or index.js) relative to the config file, or by npm package name.
 */
export class PluginLoader {
  private readonly byId: Map<string, PluginDeclaration>;
  private readonly cache = new Map<string, Promise<PluginDeclaration>>();

  constructor(builtins: readonly PluginDeclaration[]) {
    this.byId = new Map(builtins.map((p) => [p.id, p]));
  }

  get builtins(): PluginDeclaration[] {
    return [...this.byId.values()];
  }

  /** Resolves and imports `spec`; throws PluginNotFoundError or PluginLoadError. */
  async load(spec: string, baseDir: string): Promise<PluginDeclaration> {
    const builtin = this.byId.get(spec);
    if (builtin) return builtin;
    const file = resolvePlugin(spec, baseDir, [...this.byId.keys()]);
    let pending = this.cache.get(file);
    if (!pending) {
      pending = importDeclaration(file, spec);
      this.cache.set(file, pending);
    }
    return pending;
  }
}

function looksLikePath(spec: string): boolean {
  return spec.startsWith('.') || spec.startsWith('/') || /\.(m?js|ts)$/.test(spec) || spec.includes(path.sep) && !spec.startsWith('@');
}

function resolvePlugin(spec: string, baseDir: string, known: string[]): string {
  if (looksLikePath(spec)) {
    const full = path.resolve(baseDir, spec);
    if (!existsSync(full)) throw new PluginNotFoundError(`plugin file or folder ${full} does not exist`);
    return statSync(full).isDirectory() ? folderEntry(full) : full;
  }
  for (const from of [baseDir, process.cwd()]) {
    try {
      return createRequire(path.join(from, 'noop.js')).resolve(spec);
    } catch {
      const folder = path.join(from, 'node_modules', spec);
      if (existsSync(folder)) return folderEntry(folder);
    }
  }
  throw new PluginNotFoundError(
    `unknown plugin "${spec}": not a built-in plugin (${known.join(', ') || 'none'}), not a path, and no npm package of that name is installed`,
  );
}

function folderEntry(folder: string): string {
  const pkgFile = path.join(folder, 'package.json');
  if (existsSync(pkgFile)) {
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { main?: string; exports?: unknown };
    const exp = typeof pkg.exports === 'string' ? pkg.exports : (pkg.exports as Record<string, unknown> | undefined)?.['.'];
    const entry = typeof exp === 'string' ? exp : (pkg.main ?? 'index.js');
    return path.resolve(folder, entry);
  }
  for (const name of ['index.js', 'index.mjs', 'index.ts']) {
    const candidate = path.join(folder, name);
    if (existsSync(candidate)) return candidate;
  }
  throw new PluginNotFoundError(`plugin folder ${folder} has no package.json and no index.js`);
}

let typeScript: Promise<void> | undefined;

/**
 * Imports a plugin file. Node 20 cannot import TypeScript: tsx's loader is registered the first
 * time a TypeScript drop-in plugin is loaded, and only then.
 */
async function importFile(file: string): Promise<{ default?: unknown }> {
  if (/\.[cm]?ts$/.test(file)) {
    typeScript ??= import('tsx/esm/api').then(({ register }) => void register({ tsconfig: packagePath('tsconfig.json') }));
    await typeScript;
  }
  return (await import(pathToFileURL(file).href)) as { default?: unknown };
}

/**
 * Where a JavaScript plugin file's syntax error is, as `file:line:column`. Node's SyntaxError from
 * `import()` carries no location; `node --check` prints it (`file:3`, the source line, a caret
 * under the column), so the file is checked again, only after it failed to load; off the event
 * loop, as a config reload can get here while the host serves `/health`.
 */
async function syntaxErrorAt(file: string): Promise<string | undefined> {
  const stderr = await promisify(execFile)(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 10_000 }).then(
    () => '',
    (err: { stderr?: string }) => err.stderr ?? '',
  );
  const lines = stderr.split('\n');
  const line = /:(\d+)$/.exec(lines[0] ?? '')?.[1];
  const caret = lines.findIndex((l) => /^\s*\^+\s*$/.test(l));
  if (!line || caret < 0) return undefined;
  return `${file}:${line}:${lines[caret]!.indexOf('^') + 1}`;
}

async function importDeclaration(file: string, spec: string): Promise<PluginDeclaration> {
  let mod: { default?: unknown };
  try {
    mod = await importFile(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_REQUIRE_CYCLE_MODULE' || e.code === 'ERR_REQUIRE_ESM' || /Cannot use import statement outside a module/.test(e.message)) {
      throw new PluginLoadError(
        `plugin ${spec} failed to load: ${file} uses ES module syntax but is not in an ES module scope: name it .mjs, or put a package.json with "type": "module" beside it`,
        { cause: err },
      );
    }
    const at = e instanceof SyntaxError && !/\.[cm]?ts$/.test(file) ? await syntaxErrorAt(file) : undefined;
    throw new PluginLoadError(`plugin ${spec} failed to load: ${at ? `${at}: ` : ''}${e.message}`, { cause: err });
  }
  const decl = mod.default as PluginDeclaration | undefined;
  const problems = checkDeclaration(decl);
  if (problems.length > 0) throw new PluginLoadError(`plugin ${spec} is not a valid plugin: ${problems.join('; ')}`);
  return decl!;
}

/** What is wrong with a declaration, in words; empty when it is fine. */
export function checkDeclaration(decl: unknown): string[] {
  if (!decl || typeof decl !== 'object') return ['its module has no default export object (export default { id, apiVersion, ... })'];
  const d = decl as Partial<PluginDeclaration>;
  const problems: string[] = [];
  if (typeof d.id !== 'string' || !ID.test(d.id)) problems.push('id must match [a-z0-9][a-z0-9_-]*');
  if (typeof d.apiVersion !== 'number') problems.push('apiVersion must be a number');
  else if (!SUPPORTED_API_VERSIONS.includes(d.apiVersion)) {
    problems.push(`it needs plugin API version ${d.apiVersion}; this host supports ${SUPPORTED_API_VERSIONS.join(', ')}`);
  }
  if (typeof d.title !== 'string' || !d.title) problems.push('title must be a non-empty string');
  if (typeof d.create !== 'function') problems.push('create must be a function returning a DataSource');
  if (d.credentials !== undefined && !STYLES.includes((d.credentials as { style?: string }).style ?? '')) {
    problems.push(`credentials.style must be one of ${STYLES.join(', ')}`);
  }
  for (const hook of ['credentialsOf', 'checkOptions'] as const) {
    if (d[hook] !== undefined && typeof d[hook] !== 'function') problems.push(`${hook} must be a function`);
  }
  if (d.options !== undefined && (typeof d.options !== 'object' || (d.options as { type?: string }).type !== 'object')) {
    problems.push('options must be a JSON Schema with type "object"');
  }
  const writes = d.writes as unknown;
  if (writes !== undefined && (!Array.isArray(writes) || !writes.every((w) => typeof w === 'string'))) {
    problems.push('writes must be a list of measurement names');
  }
  problems.push(...entityDeclarationProblems(d.entities));
  const commands = d.commands as unknown[] | undefined;
  if (commands !== undefined && (!Array.isArray(commands) || !commands.every(isCommand))) {
    problems.push('commands must be a list of { name, summary, usage, run } with name matching [a-z0-9][a-z0-9_-]*');
  }
  return problems;
}

function isCommand(c: unknown): boolean {
  const command = c as Partial<PluginCommand> | null;
  return typeof command?.name === 'string' && ID.test(command.name) && typeof command.summary === 'string' && typeof command.usage === 'string' && typeof command.run === 'function';
}
