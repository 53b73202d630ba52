// Types of core/cli/bundle-loader.mjs (plain JavaScript: bin.mjs runs it before the bundle).
export function codeCacheFile(bundle: string): string;
export interface LoadedBundle {
  exports: Record<string, unknown>;
  /** Writes the code cache of what V8 compiled so far, unless a valid one was read. */
  saveCodeCache(): void;
}
export function loadBundle(bundle: string): LoadedBundle;
