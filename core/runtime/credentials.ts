import type { SourceConfig } from '../config/types.js';
import { credentialFields, credentialsSpec } from '../config/plugin-options.js';
import type { PluginDeclaration } from '../plugin-api/plugin.js';

export { credentialFields };

/** The fields that are missing or empty after substitution: any means standby. */
export function missingCredentials(plugin: PluginDeclaration, source: SourceConfig): string[] {
  return credentialFields(plugin, source.options ?? {}).filter((f) => !source.credentials[f]);
}

/** What a user does to activate a standby source, in words. */
export function standbyHint(plugin: PluginDeclaration, source: SourceConfig): string {
  const missing = missingCredentials(plugin, source);
  const env = credentialsSpec(plugin, source.options ?? {})?.env ?? {};
  const names = missing.map((f) => env[f] ?? `sources.${source.id}.credentials.${f}`);
  const list = names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `Set ${list}; the source starts by itself`;
}
