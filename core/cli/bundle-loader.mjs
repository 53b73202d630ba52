// How bin.mjs runs the bundle (.build/cli.cjs): a CommonJS file compiled by node:vm with V8's code
// cache, kept next to it (cli.cjs.v8-cache). Node 20 has no compile cache for modules
// (`module.enableCompileCache` came with Node 22): without one, V8 parsed the 2 MB bundle and
// compiled every function the start-up calls at every start. The cache is written once, when the
// host has started (so it holds what the start-up compiled), and read by every start after it.
// Measured with test/bench/footprint.ts (README "Performance and resilience").
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

/** Where the code cache of `bundle` is kept. */
export function codeCacheFile(bundle) {
  return `${bundle}.v8-cache`;
}

/**
 * The bundle a cache was made from: its size and modification time (a build sets it), on the
 * cache's first line. V8 refuses a cache of another V8 version, other flags or another source
 * length itself; this also tells two builds of the same length apart.
 */
function stampOf(bundle) {
  const s = statSync(bundle);
  return `homeiq-code-cache ${s.size} ${s.mtimeMs}\n`;
}

/** The cached data for `stamp`, or undefined (no cache, or one of another build). */
function readCache(bundle, stamp) {
  let data;
  try {
    data = readFileSync(codeCacheFile(bundle));
  } catch {
    return undefined;
  }
  const head = Buffer.from(stamp);
  return data.subarray(0, head.length).equals(head) ? data.subarray(head.length) : undefined;
}

// The wrapper has a line of its own (lineOffset -1): the bundle's lines and columns stay as the
// source map knows them.
// `__homeiqImport`: node's own `import()` (core/runtime/dynamic-import.ts), as node:vm has none to
// offer a script without an experimental flag.
const WRAPPER_START = '(function (exports, require, module, __filename, __dirname, __homeiqImport) {\n';

/**
 * Compiles and runs `bundle` (CommonJS) and returns its exports, with `saveCodeCache()`: writes the
 * cache of what V8 compiled so far, unless a valid one was read. V8 records its flags in the cache
 * and refuses it under others: call it while the flags are those the bundle was compiled with.
 */
export function loadBundle(bundle) {
  const stamp = stampOf(bundle);
  const cachedData = readCache(bundle, stamp);
  // The bundle is ASCII (esbuild escapes every other character: build.mjs's `charset`), which
  // latin1 reads as it is, without UTF-8 decoding (≈ 13 ms of 2 MB here).
  const script = new vm.Script(`${WRAPPER_START}${readFileSync(bundle, 'latin1')}\n})`, {
    filename: bundle,
    lineOffset: -1,
    cachedData,
  });
  let cacheValid = cachedData !== undefined && !script.cachedDataRejected;
  const module = { exports: {} };
  const importModule = (specifier) => import(specifier);
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, path.dirname(bundle), importModule);
  return {
    exports: module.exports,
    saveCodeCache() {
      if (cacheValid) return;
      cacheValid = true;
      const file = codeCacheFile(bundle);
      const temp = `${file}.tmp-${process.pid}`;
      try {
        writeFileSync(temp, Buffer.concat([Buffer.from(stamp), script.createCachedData()]));
        renameSync(temp, file);
      } catch {
        // A read-only install runs without a cache, as before one is written.
        rmSync(temp, { force: true });
      }
    },
  };
}
