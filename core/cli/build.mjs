// Builds what `homeiq` runs: core/cli/cli.ts and everything it imports from core/, plugins/ and
// node_modules, bundled by esbuild into .build/cli.cjs. Under tsx every module went through its
// loader hooks (≈ 2 s of start-up here); with node_modules left outside the bundle, node still
// resolved and read some 500 files (≈ 750 ms, 20 MiB more); the one bundle loads in ≈ 300 ms.
//
// `node core/cli/build.mjs` builds unconditionally (npm's `prepare` runs it); bin.mjs calls
// `ensureBuilt()`, which rebuilds only when a source is newer than the bundle.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { codeCacheFile } from './bundle-loader.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where the bundle goes: .build/ in the checkout, or HOMEIQ_BUILD_DIR (tests use their own). */
export const OUT_DIR = process.env.HOMEIQ_BUILD_DIR ? path.resolve(process.env.HOMEIQ_BUILD_DIR) : path.join(ROOT, '.build');
export const BUNDLE = path.join(OUT_DIR, 'cli.cjs');
const ENTRY = path.join(ROOT, 'core/cli/cli.ts');
/** What the bundle is made of: a change to any file here makes it stale. */
const SOURCE_DIRS = ['core', 'plugins'];
const SOURCE_FILES = ['package.json', 'package-lock.json', 'tsconfig.json'];

/** The newest modification time (ms) of the files the bundle is built from. */
export function newestSource() {
  let newest = 0;
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  for (const dir of SOURCE_DIRS) visit(path.join(ROOT, dir));
  for (const file of SOURCE_FILES) if (existsSync(path.join(ROOT, file))) newest = Math.max(newest, statSync(path.join(ROOT, file)).mtimeMs);
  return newest;
}

/** True when there is no bundle or a source changed after the build that made it started. */
export function isStale() {
  if (!existsSync(BUNDLE)) return true;
  return newestSource() > statSync(BUNDLE).mtimeMs;
}

/**
 * Every bundled file keeps its own location: `import.meta.url` (dirname, filename) and, in CommonJS
 * files, `__dirname` and `__filename` are rewritten to the file's path relative to the bundle, so
 * `new URL('../package.json', import.meta.url)` in core/version.ts still finds the package file
 * wherever the checkout lives.
 */
const ownLocation = {
  name: 'own-location',
  setup(build) {
    build.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const meta = text.includes('import.meta.');
      const cjsPaths = /\b__(dirname|filename)\b/.test(text) && !/\b(const|let|var|function)\s+__(dirname|filename)\b/.test(text);
      if (!meta && !cjsPaths) return undefined;
      const relative = JSON.stringify(path.relative(OUT_DIR, args.path).split(path.sep).join('/'));
      const folder = JSON.stringify(path.relative(OUT_DIR, path.dirname(args.path)).split(path.sep).join('/') || '.');
      let contents = meta
        ? text
            .replaceAll('import.meta.url', `new URL(${relative}, import.meta.url).href`)
            .replaceAll('import.meta.filename', `__homeiqPath(${relative})`)
            .replaceAll('import.meta.dirname', `__homeiqPath(${folder})`)
        : text;
      if (cjsPaths) contents = `var __filename = __homeiqPath(${relative}), __dirname = __homeiqPath(${folder});\n${contents}`;
      const loader = /\.[cm]?ts$/.test(args.path) ? 'ts' : 'js';
      return { contents, loader };
    });
  },
};

/**
 * temporal-polyfill (node-ical's Temporal) gives every Temporal object it makes a debugging
 * `_str_`, its ISO text, unless its code was minified: it checks that its `dbg` function still has
 * that name. The bundle keeps names (readable stack traces), so every date of an ICS run was
 * formatted for nothing (≈ 13 ms of the footprint's first runs). The check is answered here.
 */
const temporalDebugOff = {
  name: 'temporal-debug-off',
  setup(build) {
    build.onLoad({ filter: /temporal-polyfill[\\/]chunks[\\/]classApi\.c?js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const check = '"dbg" === dbg.name';
      if (!text.includes(check)) throw new Error(`${args.path}: temporal-polyfill's debug check "${check}" is gone; see core/cli/build.mjs`);
      return { contents: text.replaceAll(check, 'false'), loader: 'js' };
    });
  },
};

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_VALUE = new Map([...B64].map((c, i) => [c, i]));

function decodeSegment(text) {
  const out = [];
  let value = 0;
  let shift = 0;
  for (const c of text) {
    const digit = B64_VALUE.get(c);
    value += (digit & 31) << shift;
    if (digit & 32) shift += 5;
    else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

function encodeValue(n) {
  let v = n < 0 ? (-n << 1) | 1 : n << 1;
  let text = '';
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    text += B64[digit];
  } while (v > 0);
  return text;
}

/**
 * Keeps only the mappings into the project's own files. Node keeps a parsed source map in memory
 * for as long as the process runs; with every dependency's mappings that was 13 MiB more resident
 * memory, and a stack frame inside a dependency reads well enough as a line of the bundle.
 */
export function ownSourcesOnly(map) {
  const keep = map.sources.map((s) => !s.includes('node_modules/'));
  const newIndex = [];
  const sources = [];
  map.sources.forEach((s, i) => {
    if (keep[i]) {
      newIndex[i] = sources.length;
      sources.push(s);
    }
  });
  let source = 0;
  let line = 0;
  let column = 0;
  let outSource = 0;
  let outLine = 0;
  let outColumn = 0;
  const lines = map.mappings.split(';').map((text) => {
    let generated = 0;
    let outGenerated = 0;
    const kept = [];
    for (const segment of text ? text.split(',') : []) {
      const f = decodeSegment(segment);
      generated += f[0];
      if (f.length < 4) continue;
      source += f[1];
      line += f[2];
      column += f[3];
      if (!keep[source]) continue;
      const s = newIndex[source];
      kept.push(encodeValue(generated - outGenerated) + encodeValue(s - outSource) + encodeValue(line - outLine) + encodeValue(column - outColumn));
      outGenerated = generated;
      outSource = s;
      outLine = line;
      outColumn = column;
    }
    return kept.join(',');
  });
  return { version: 3, sources, names: [], mappings: lines.join(';') };
}

/**
 * How a program is bundled: one CommonJS file for node 20 holding the program and its dependencies,
 * ES modules included (CommonJS, so that bin.mjs can compile it with V8's code cache:
 * bundle-loader.mjs). `import.meta.url` is the bundle's own URL (ownLocation makes each file's
 * relative to it); `import()` at run time goes through core/runtime/dynamic-import.ts. tsx and
 * esbuild stay outside: they are loaded only to run a TypeScript drop-in plugin or to build.
 */
export function bundleOptions(entry, outfile) {
  return {
    absWorkingDir: ROOT,
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['tsx', 'tsx/*', 'esbuild'],
    banner: {
      js: [
        "const __homeiqBundleUrl = require('node:url').pathToFileURL(__filename).href;",
        'const __homeiqPath = (relative) => require(\'node:url\').fileURLToPath(new URL(relative, __homeiqBundleUrl)).replace(/[\\/]$/, "");',
      ].join(' '),
    },
    legalComments: 'none',
    // Every other character escaped: bundle-loader.mjs reads the bundle as latin1.
    charset: 'ascii',
    // Less source text held in memory (the bundle's source stays in the heap for lazy compilation);
    // identifiers keep their names, so stack traces stay readable without the map too.
    minifyWhitespace: true,
    minifySyntax: true,
    // node-ical uses temporal-polyfill and its rrule-temporal the older @js-temporal/polyfill: one
    // Temporal is enough (node-ical's own package.json overrides the second with the first too).
    // got's HTTP/2 support (http2-wrapper, and node's http2 with it) is left out: see http2-unsupported.mjs.
    alias: { '@js-temporal/polyfill': 'temporal-polyfill', 'http2-wrapper': './core/cli/http2-unsupported.mjs' },
    // Read by core/runtime/plugin-loader.ts: only the bundle needs tsx for a TypeScript plugin.
    define: { 'process.env.HOMEIQ_BUNDLE': '"1"', 'import.meta.url': '__homeiqBundleUrl' },
  };
}

const PRECOMPILED = path.join(ROOT, 'core/config/precompiled-validators.ts');

/**
 * The config's validators as ajv's standalone code (core/config/validators-source.ts, bundled and
 * run here), for the bundle's core/config/precompiled-validators.ts.
 */
async function validatorsSource(esbuild, tag) {
  const outfile = path.join(OUT_DIR, `validators${tag}.cjs`);
  try {
    await esbuild({
      ...bundleOptions(path.join(ROOT, 'core/config/validators-source.ts'), outfile),
      tsconfig: path.join(ROOT, 'tsconfig.json'),
      logLevel: 'silent',
      plugins: [ownLocation],
    });
    return createRequire(import.meta.url)(outfile).validatorsSource();
  } finally {
    rmSync(outfile, { force: true });
  }
}

/** Puts `source` in place of core/config/precompiled-validators.ts (its `require`s resolve from core/config). */
function precompiledValidators(source) {
  return {
    name: 'precompiled-validators',
    setup(build) {
      build.onLoad({ filter: /precompiled-validators\.ts$/ }, (args) =>
        args.path === PRECOMPILED ? { contents: source, loader: 'js', resolveDir: path.dirname(PRECOMPILED) } : undefined,
      );
    },
  };
}

/**
 * Builds the bundle. Safe when several processes build at once (tests start many `homeiq` at the
 * same moment): each writes its own temporary files and renames them into place, so a reader sees
 * either the old bundle or a whole new one. The bundle's mtime is set to when the build began, so a
 * source saved during the build makes it stale again.
 */
export async function build() {
  const began = new Date();
  const { build: esbuild } = await import('esbuild');
  mkdirSync(OUT_DIR, { recursive: true });
  const tag = `.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const validators = await validatorsSource(esbuild, tag);
  const result = await esbuild({
    ...bundleOptions(ENTRY, BUNDLE),
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    sourcemap: 'linked',
    sourcesContent: false,
    write: false,
    logLevel: 'silent',
    plugins: [precompiledValidators(validators), temporalDebugOff, ownLocation],
  });
  // An import esbuild found no export for is `undefined` in the bundle: a broken build, not a warning.
  const undefinedImports = result.warnings.filter((w) => w.id === 'import-is-undefined');
  if (undefinedImports.length > 0) throw new Error(undefinedImports.map((w) => `${w.location?.file}:${w.location?.line}: ${w.text}`).join('\n'));
  const files = result.outputFiles.map((f) => ({
    final: f.path,
    temp: f.path + tag,
    contents: f.path.endsWith('.map') ? JSON.stringify(ownSourcesOnly(JSON.parse(f.text))) : f.contents,
  }));
  try {
    for (const f of files) {
      writeFileSync(f.temp, f.contents);
      utimesSync(f.temp, began, began);
    }
    // The map first: the bundle that names it appears last.
    for (const f of files.sort((a, b) => Number(a.final === BUNDLE) - Number(b.final === BUNDLE))) renameSync(f.temp, f.final);
    // The previous bundle's code cache (its stamp would not match; this saves reading it once).
    rmSync(codeCacheFile(BUNDLE), { force: true });
  } finally {
    for (const f of files) rmSync(f.temp, { force: true });
  }
}

/** Rebuilds the bundle when it is missing or older than a source; says so on stderr unless quiet. */
export async function ensureBuilt({ quiet = false } = {}) {
  if (!isStale()) return false;
  if (!quiet) process.stderr.write('building HomeIQ Sources (first start after an update)...\n');
  await build();
  return true;
}

// `node core/cli/build.mjs [--if-possible]`: with --if-possible (npm's prepare, on every install) a
// source that does not compile only warns; `homeiq` rebuilds on its next start and says why it can't.
if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  try {
    await build();
    process.stdout.write(`built ${path.relative(ROOT, BUNDLE)}\n`);
  } catch (err) {
    process.stderr.write(`homeiq: building HomeIQ Sources failed:\n${err.message}\n`);
    if (!process.argv.includes('--if-possible')) process.exitCode = 1;
  }
}
