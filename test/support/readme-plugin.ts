import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PluginDeclaration } from '../../core/plugin-api/index.js';

const README = new URL('../../README.md', import.meta.url);

/** The README's complete plain-JavaScript example plugin, exactly as printed there. */
export function readmeExamplePlugin(): string {
  const text = readFileSync(README, 'utf8');
  const match = /```js example-plugin\n([\s\S]*?)```/.exec(text);
  if (!match) throw new Error('README.md has no ```js example-plugin block');
  return match[1]!;
}

/** Writes the README's example plugin into `<dir>/example-sensor/index.mjs` and returns that folder. */
export function dropInExamplePlugin(dir = mkdtempSync(path.join(tmpdir(), 'homeiq-plugin-'))): string {
  const folder = path.join(dir, 'example-sensor');
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'index.mjs'), readmeExamplePlugin());
  return folder;
}

/** Imports the README's example plugin declaration. */
export async function importExamplePlugin(): Promise<PluginDeclaration> {
  const folder = dropInExamplePlugin();
  return ((await import(pathToFileURL(path.join(folder, 'index.mjs')).href)) as { default: PluginDeclaration }).default;
}

/**
 * A source of the README's example plugin against `baseUrl`, as config YAML: hourly unless
 * `interval` says otherwise (null: no interval line), with `sensor: <id>` when `sensor` is set, and
 * `extra` lines appended.
 */
export function exampleSourceYaml(
  id: string,
  key: string,
  baseUrl: string,
  extra = '',
  { interval = '1h', sensor = false }: { interval?: string | null; sensor?: boolean } = {},
): string {
  const every = interval === null ? '' : `    interval: ${interval}\n`;
  const name = sensor ? `      sensor: ${id}\n` : '';
  return `  ${id}:\n    plugin: ./example-sensor\n${every}    credentials:\n      api_key: ${key}\n    options:\n${name}      base_url: ${baseUrl}\n      retries: 0\n${extra}`;
}
