#!/usr/bin/env -S MALLOC_ARENA_MAX=1 node --max-semi-space-size=1
// The `homeiq` command. It runs the esbuild bundle of core/cli/cli.ts (.build/cli.mjs, made by
// core/cli/build.mjs), rebuilt here first when a file under core/ or plugins/ is newer than it.
// Stack traces point into the TypeScript sources through the bundle's source map.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { BUNDLE, ensureBuilt } from './build.mjs';

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
process.setSourceMapsEnabled(true);
// V8 moves allocation sites whose objects survived start-up into the old generation ("pretenuring").
// The 100 HTTP answers of the sources' first runs made node's own request objects such sites, so every
// later `/health` request was allocated old and kept its young parts alive until a full GC: with the
// small young generation `npm start` asks for (--max-semi-space-size=1: ≈ 12 MiB less resident
// memory than the semi-spaces V8 grows to during start-up), /health's throughput halved. V8 reads
// this flag at each GC, so it can be set here, for every way of starting `homeiq`. Measured in
// test/bench (README "Performance and resilience").
v8.setFlagsFromString('--no-allocation-site-pretenuring');
const { main } = await import(pathToFileURL(BUNDLE).href);
process.exitCode = await main(process.argv.slice(2));
