import { existsSync } from 'node:fs';
import path from 'node:path';
import { BUILTIN_PLUGINS } from '../builtin-plugins.js';
import { loadConfig } from '../config/load.js';
import { optionsSchemaFor } from '../config/plugin-options.js';
import type { PluginDeclaration } from '../plugin-api/plugin.js';
import { credentialFields } from '../runtime/credentials.js';
import { PluginLoader } from '../runtime/plugin-loader.js';
import type { CliIo } from './cli.js';

export interface InstalledPlugin {
  plugin: PluginDeclaration;
  /** `built-in`, or how the config names the drop-in plugin (a path or a package). */
  from: string;
}

/**
 * The built-in plugins, then the drop-in plugins the config file names (when the file exists).
 * A drop-in plugin that fails to load is left out and named in `problems`.
 */
export async function installedPlugins(configFile: string, env: NodeJS.ProcessEnv): Promise<{ plugins: InstalledPlugin[]; problems: string[] }> {
  const loader = new PluginLoader(BUILTIN_PLUGINS);
  const plugins = new Map<string, InstalledPlugin>();
  const problems: string[] = [];
  for (const p of BUILTIN_PLUGINS) plugins.set(p.id, { plugin: p, from: 'built-in' });
  const file = path.resolve(configFile);
  if (existsSync(file)) {
    const { config } = await loadConfig(file, env);
    for (const source of Object.values(config.sources)) {
      if (plugins.has(source.plugin)) continue;
      try {
        const plugin = await loader.load(source.plugin, path.dirname(file));
        plugins.set(plugin.id, { plugin, from: source.plugin });
      } catch (err) {
        problems.push(`${source.plugin} (named by sources.${source.id}): ${(err as Error).message}`);
      }
    }
  }
  return { plugins: [...plugins.values()], problems };
}

/**
 * `homeiq plugins`: the built-in plugins and the drop-in plugins the config names, each with its
 * credentials, options (type, default, description) and commands.
 */
export async function pluginsCommand(configFile: string, io: CliIo): Promise<number> {
  const { plugins, problems } = await installedPlugins(configFile, io.env);
  for (const problem of problems) io.err(`# ${problem}\n`);
  if (plugins.length === 0) io.out('no plugins installed\n');
  for (const { plugin, from } of plugins) io.out(describePlugin(plugin, from) + '\n');
  return 0;
}

function describePlugin(p: PluginDeclaration, from: string): string {
  const lines = [`${p.id} — ${p.title} (${from}, plugin API ${p.apiVersion})`];
  if (p.description) lines.push(`  ${p.description}`);
  const fields = credentialFields(p);
  const env = p.credentials?.env ?? {};
  lines.push(
    p.credentialsOf
      ? '  credentials: chosen by each source (see its options)'
      : p.credentials
      ? `  credentials (${p.credentials.style}): ${fields.map((f) => (env[f] ? `${f} (${env[f]})` : f)).join(', ')}`
      : '  credentials: none needed',
  );
  lines.push(`  default schedule: ${p.default_schedule ?? 'every 5m'}`);
  const schema = optionsSchemaFor(p) as { properties?: Record<string, { type?: unknown; default?: unknown; description?: string; enum?: unknown[] }>; required?: string[] };
  lines.push('  options:');
  for (const [key, s] of Object.entries(schema.properties ?? {})) {
    const type = s.enum ? s.enum.map(String).join('|') : Array.isArray(s.type) ? s.type.join('|') : String(s.type ?? 'any');
    const required = schema.required?.includes(key) ? ' (required)' : '';
    const def = s.default !== undefined ? ` = ${JSON.stringify(s.default)}` : '';
    lines.push(`    ${key}: ${type}${def}${required}${s.description ? `  ${s.description}` : ''}`);
  }
  for (const c of p.commands ?? []) lines.push(`  command: homeiq ${c.name} ${c.usage}  ${c.summary}`);
  return lines.join('\n');
}
