import { Redactor } from '../logging/redactor.js';
import type { PluginDeclaration } from '../plugin-api/plugin.js';

/**
 * Options a plugin marks `writeOnly` in its schema (a private calendar address whose path is its
 * secret) are redacted like credentials: the whole value, and for a URL its path, query values and
 * user info, since error messages name request paths.
 */
export function registerWriteOnlyOptions(plugin: PluginDeclaration, options: Record<string, unknown>, redactor: Redactor): void {
  const properties = (plugin.options as { properties?: Record<string, { writeOnly?: boolean }> } | undefined)?.properties ?? {};
  for (const [key, schema] of Object.entries(properties)) {
    const value = options[key];
    if (!schema?.writeOnly || typeof value !== 'string') continue;
    redactor.add(value);
    try {
      const url = new URL(value);
      if (url.pathname.length > 1) redactor.add(url.pathname);
      // A short query value (`v=2`, `format=ics`) is a setting, not the secret: as a secret it would hide every `=2`.
      for (const v of url.searchParams.values()) if (v.length >= Redactor.MIN_LENGTH) redactor.add(v);
      redactor.addUrl(value);
    } catch {
      // Not a URL: the value itself is registered.
    }
  }
}
