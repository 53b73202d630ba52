// Types of core/cli/build.mjs (plain JavaScript: bin.mjs runs it before anything is built).
import type { BuildOptions } from 'esbuild';

export const ROOT: string;
export const OUT_DIR: string;
export const BUNDLE: string;
export function newestSource(): number;
export function isStale(): boolean;
export function bundleOptions(entry: string, outfile: string): BuildOptions;
export function build(): Promise<void>;
/** Resolves true when it rebuilt. */
export function ensureBuilt(options?: { quiet?: boolean }): Promise<boolean>;

