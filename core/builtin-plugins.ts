import type { PluginDeclaration } from './plugin-api/index.js';

/**
 * The built-in plugins, by id. An explicit list (type-checked), so that what ships is visible in one
 * place; drop-in plugins are loaded by path or package name instead.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const BUILTIN_PLUGINS: readonly PluginDeclaration<any>[] = [];
