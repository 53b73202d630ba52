import { createHash } from 'node:crypto';
import path from 'node:path';
import { ConfigFileError } from '../config/load.js';
import type { LoadedConfig } from '../config/load.js';
import { validateCredentials, validateSourceOptions } from '../config/plugin-options.js';
import { signalPluginProblems } from '../config/planner-rules.js';
import { sourceSettings, type SourceSettings } from '../config/source-settings.js';
import type { ConfigProblem, SourceConfig } from '../config/types.js';
import type { PluginDeclaration } from '../plugin-api/plugin.js';
import { PluginLoadError, PluginNotFoundError, type PluginLoader } from './plugin-loader.js';

/** A source ready to run: its plugin (or why it could not load) and its validated options. */
export interface PreparedSource {
  source: SourceConfig;
  plugin: PluginDeclaration | null;
  loadError?: string;
  options: Record<string, unknown>;
  /** The host options among `options`, resolved once. */
  settings: SourceSettings;
  /** Equal fingerprints mean an unchanged source across a reload. */
  fingerprint: string;
}

/**
 * Loads every source's plugin and validates its options and credentials against the plugin.
 * Problems of the file (unknown plugin, bad option) throw one ConfigFileError listing them all,
 * so nothing starts half-way; a plugin that exists but fails to load only marks its sources.
 */
export async function prepareSources(loaded: LoadedConfig, loader: PluginLoader): Promise<PreparedSource[]> {
  const { config } = loaded;
  const baseDir = path.dirname(config.file);
  const problems: ConfigProblem[] = [];
  const prepared: PreparedSource[] = [];
  const plugins = new Map<string, PluginDeclaration>();
  for (const source of Object.values(config.sources)) {
    const at = ['sources', source.id, 'plugin'];
    let plugin: PluginDeclaration | null = null;
    let loadError: string | undefined;
    try {
      plugin = await loader.load(source.plugin, baseDir);
    } catch (err) {
      if (err instanceof PluginNotFoundError) {
        problems.push({ file: config.file, line: loaded.locate(at), path: at.join('.'), message: err.message });
        continue;
      }
      loadError = err instanceof PluginLoadError ? err.message : `plugin ${source.plugin} failed to load: ${(err as Error).message}`;
    }
    let options: Record<string, unknown> = source.options;
    if (plugin) {
      plugins.set(source.id, plugin);
      const checked = validateSourceOptions(plugin, source, loaded.locate, config.file);
      problems.push(...checked.problems, ...validateCredentials(plugin, source, loaded.locate, config.file));
      options = checked.options;
    }
    prepared.push({ source, plugin, loadError, options, settings: sourceSettings(plugin, options), fingerprint: fingerprint(source, options, plugin) });
  }
  if (config.planner) problems.push(...signalPluginProblems(config.planner, plugins, { file: config.file, locate: loaded.locate }));
  if (problems.length > 0) throw new ConfigFileError(problems);
  return prepared;
}

/** A digest, not the JSON itself: it is kept per source for the host's life (10,000 sources). */
function fingerprint(source: SourceConfig, options: Record<string, unknown>, plugin: PluginDeclaration | null): string {
  return createHash('sha256').update(JSON.stringify([source, options, plugin?.id ?? null])).digest('base64');
}
