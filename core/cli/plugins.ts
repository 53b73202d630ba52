import { existsSync } from 'node:fs';
import path from 'node:path';
import { BUILTIN_PLUGINS } from '../builtin-plugins.js';
import { loadConfig } from '../config/load.js';
import { optionsSchemaFor } from '../config/plugin-options.js';
import type { PluginDeclaration } from '../plugin-api/plugin.js';
import { credentialFields } from '../runtime/credentials.js';
import { PluginLoader } from '../runtime/plugin-loader.js';
import type { CliIo } from './cli.js';

/**
 * `homeiq plugins`: the built-in plugins and the drop-in plugins the config names, each with its
 * credentials and options (type, default, description).
 */
export async function pluginsCommand(configFile: string, io: CliIo): Promise<number> {
  const loader = new PluginLoader(BUILTIN_PLUGINS);
  const plugins = new Map<string, { plugin: PluginDeclaration; from: string }>();
  for (const p of BUILTIN_PLUGINS) plugins.set(p.id, { plugin: p, from: 'built-in' });
  const file = path.resolve(configFile);
  if (existsSync(file)) {
    const { config } = await loadConfig(file, io.env);
    for (const source of Object.values(config.sources)) {
      if (plugins.has(source.plugin)) continue;
      try {
        const plugin = await loader.load(source.plugin, path.dirname(file));
        plugins.set(plugin.id, { plugin, from: source.plugin });
      } catch (err) {
        io.err(`# ${source.plugin} (named by sources.${source.id}): ${(err as Error).message}\n`);
      }
    }
  }
  if (plugins.size === 0) io.out('no plugins installed\n');
  for (const { plugin, from } of plugins.values()) io.out(describePlugin(plugin, from) + '\n');
  return 0;
}

function describePlugin(p: PluginDeclaration, from: string): string {
  const lines = [`${p.id} — ${p.title} (${from}, plugin API ${p.apiVersion})`];
  if (p.description) lines.push(`  ${p.description}`);
  const fields = credentialFields(p);
  const env = p.credentials?.env ?? {};
  lines.push(
    p.credentials
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
  return lines.join('\n');
}
