// Types of core/cli/build.mjs (plain JavaScript: it runs before anything is built).
import type { BuildOptions } from 'esbuild';

export const ROOT: string;
export const BUNDLE: string;
export function isStale(): boolean;
export function bundleOptions(entry: string, outfile: string): BuildOptions;
export function build(): Promise<void>;
