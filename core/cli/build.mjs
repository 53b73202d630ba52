// `npm run build` (and npm's `prepare`, so `npm install` runs it): bundles core/cli/run.ts, the
// program with its dependencies, into one ES module, dist/homeiq.mjs, that `npm start` runs with
// plain node. One file loads far faster and in less memory than the ~500 files node would resolve
// and read from node_modules. tsx and esbuild stay outside: they are loaded only to run a
// TypeScript drop-in plugin or to build.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BUNDLE = path.join(ROOT, 'dist/homeiq.mjs');
/** What the bundle is made of: a newer file here makes it stale. */
const SOURCES = ['core', 'plugins', 'package.json', 'package-lock.json', 'tsconfig.json'];

/** The newest modification time (ms) of the files under `entry` (a file or a folder). */
function newest(entry) {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(entry).map((name) => newest(path.join(entry, name))));
}

/** True when there is no bundle or a source is newer than it. */
export function isStale() {
  return !existsSync(BUNDLE) || Math.max(...SOURCES.map((s) => newest(path.join(ROOT, s)))) > statSync(BUNDLE).mtimeMs;
}

/** esbuild's options for a program of this package: one ES module for node 20. */
export function bundleOptions(entry, outfile) {
  return {
    absWorkingDir: ROOT,
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    // node-ical 0.26 is sloppy-mode CommonJS: it reassigns a read-only `tz` it set on a Date,
    // which throws once bundled into an ES module (always strict) and failed every one-off event.
    // Loaded from node_modules it runs as published (0.27 fixes it but needs node 22).
    external: ['tsx', 'tsx/*', 'esbuild', 'node-ical'],
    // Bundled CommonJS dependencies call `require` for node's built-in modules.
    banner: { js: "import { createRequire as __homeiqRequire } from 'node:module'; const require = __homeiqRequire(import.meta.url);" },
    legalComments: 'none',
    // Less source text for V8 to hold; names are kept, so stack traces stay readable.
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
  };
}

/** Builds dist/homeiq.mjs. */
export async function build() {
  const { build: esbuild } = await import('esbuild');
  await esbuild(bundleOptions(path.join(ROOT, 'core/cli/run.ts'), BUNDLE));
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  await build();
  process.stdout.write(`built ${path.relative(ROOT, BUNDLE)}\n`);
}
