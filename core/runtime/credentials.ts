import type { SourceConfig } from '../config/types.js';
import type { PluginDeclaration } from '../plugin-api/plugin.js';

const DEFAULT_FIELDS = {
  api_key: ['api_key'],
  login: ['username', 'password'],
  oauth2_refresh: ['client_id', 'client_secret', 'refresh_token'],
} as const;

/** The credential fields a plugin needs, in the config's `credentials:` block. */
export function credentialFields(plugin: PluginDeclaration): string[] {
  const spec = plugin.credentials;
  if (!spec) return [];
  return spec.fields ?? [...DEFAULT_FIELDS[spec.style]];
}

/** The fields that are missing or empty after substitution: any means standby. */
export function missingCredentials(plugin: PluginDeclaration, source: SourceConfig): string[] {
  return credentialFields(plugin).filter((f) => !source.credentials[f]);
}

/** What a user does to activate a standby source, in words. */
export function standbyHint(plugin: PluginDeclaration, source: SourceConfig): string {
  const missing = missingCredentials(plugin, source);
  const env = plugin.credentials?.env ?? {};
  const names = missing.map((f) => env[f] ?? `sources.${source.id}.credentials.${f}`);
  const list = names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `Set ${list}; the source starts by itself`;
}
