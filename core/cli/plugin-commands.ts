import { BUILTIN_PLUGINS } from '../builtin-plugins.js';
import type { PluginCommand } from '../plugin-api/command.js';
import { installedPlugins } from './plugins.js';

export interface FoundCommand {
  command: PluginCommand;
  /** The id of the plugin that declares it. */
  plugin: string;
}

const declared = (plugins: { id: string; commands?: PluginCommand[] }[]): FoundCommand[] =>
  plugins.flatMap((p) => (p.commands ?? []).map((command) => ({ command, plugin: p.id })));

/**
 * Every plugin command: the built-in plugins' first, then those of the drop-in plugins the config
 * names. A config that cannot be read, or a drop-in plugin that fails to load, adds none: the
 * built-in commands (which set up credentials) must work before there is a valid config.
 */
export async function pluginCommands(configFile: string, env: NodeJS.ProcessEnv): Promise<FoundCommand[]> {
  try {
    const { plugins } = await installedPlugins(configFile, env);
    return declared(plugins.map((p) => p.plugin));
  } catch {
    return declared([...BUILTIN_PLUGINS]);
  }
}

/** The command called `name`; the config is read only when no built-in plugin declares it. */
export async function findCommand(name: string, configFile: string, env: NodeJS.ProcessEnv): Promise<FoundCommand | undefined> {
  const builtIn = declared([...BUILTIN_PLUGINS]).find((c) => c.command.name === name);
  return builtIn ?? (await pluginCommands(configFile, env)).find((c) => c.command.name === name);
}

/** The `Plugin commands:` part of `homeiq --help`. */
export function commandsHelp(commands: FoundCommand[]): string {
  if (commands.length === 0) return '';
  const lines = commands.map(({ command, plugin }) => `  ${command.name} ${command.usage}\n             ${command.summary} (plugin ${plugin})\n`);
  return `\nPlugin commands:\n${lines.join('')}`;
}
