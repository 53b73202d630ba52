#!/usr/bin/env -S MALLOC_ARENA_MAX=1 MALLOC_TRIM_THRESHOLD_=65536 node
// The `homeiq` command. It runs the esbuild bundle of core/cli/cli.ts (.build/cli.cjs, made by
// core/cli/build.mjs), rebuilt here first when a file under core/ or plugins/ is newer than it,
// with V8's code cache (bundle-loader.mjs).
// Stack traces point into the TypeScript sources through the bundle's source map (stack-traces.mjs).
import { existsSync } from 'node:fs';
import { BUNDLE, ensureBuilt } from './build.mjs';
import { loadBundle } from './bundle-loader.mjs';
import { mapStackTraces } from './stack-traces.mjs';
import { applyV8Settings, beforeStartupDone } from './v8-settings.mjs';

try {
  // esbuild's service process would otherwise live as long as the host.
  if (await ensureBuilt()) (await import('esbuild')).stop();
} catch (err) {
  // A read-only install (an image whose sources were touched) can still run the bundle it has; a
  // source that does not compile cannot.
  if (!['EACCES', 'EPERM', 'EROFS'].includes(err.code) || !existsSync(BUNDLE)) {
    process.stderr.write(`homeiq: building HomeIQ Sources failed:\n${err.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`homeiq: could not rebuild ${BUNDLE} (${err.message}); running the existing build\n`);
}
mapStackTraces(BUNDLE);
applyV8Settings();
const bundle = loadBundle(BUNDLE);
// Once the host has started (every source ran once), with the flags it was compiled with.
beforeStartupDone(() => bundle.saveCodeCache());
process.exitCode = await bundle.exports.main(process.argv.slice(2));
