/**
 * The bundle's wrapper passes node's own `import()` in (core/cli/bundle-loader.mjs): node:vm, which
 * compiles the bundle with V8's code cache, has no module loader of its own for `import()`.
 */
declare const __homeiqImport: ((specifier: string) => Promise<unknown>) | undefined;

/**
 * `import()` of a file URL or package at run time (drop-in plugins, tsx): the language's own under
 * tsx and vitest, the one bin.mjs hands the bundle under `homeiq`.
 */
export function importModule<T>(specifier: string): Promise<T> {
  return (typeof __homeiqImport === 'function' ? __homeiqImport(specifier) : import(specifier)) as Promise<T>;
}
