// V8 settings `homeiq` gives itself: bin.mjs applies them before it loads the bundle;
// startCommand (core/cli/start.ts) lets the young generation grow again at once for a config of
// 1,000 sources or more (`sourcesLoaded`), or else once every source has run once (`startupDone`).
// test/bench/support/scale-child.ts runs the host the same way. Measured in test/bench (README
// "Performance and resilience").
import v8 from 'node:v8';

/**
 * - The young generation stays at its first 1 MiB semi-spaces while the host starts: loading
 *   the bundle, the config and the plugins keeps most of what it allocates, and V8 answered that by
 *   growing the semi-spaces to 8 MiB each, ≈ 12 MiB of resident memory that V8 gives back only at
 *   a GC while idle (minutes later, if ever). `startupDone` lets it grow again, for load that
 *   needs it (10,000 sources due in one second, /health polled hard).
 * - No allocation-site pretenuring. V8 moves allocation sites whose objects survived start-up
 *   into the old generation; the HTTP answers of the sources' first runs made node's own request
 *   objects such sites, so every later `/health` request was allocated old and kept its young
 *   parts alive until a full GC: with a small young generation, /health's throughput halved.
 * V8 reads both flags when it collects, so setting them at run time works.
 */
export function applyV8Settings() {
  v8.setFlagsFromString('--no-allocation-site-pretenuring');
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}

// Called once, before the flag changes (bin.mjs writes V8's code cache there: V8 records the flags
// in it and refuses it under others). Kept on `process`, because bin.mjs and the bundle each load
// their own copy of this module.
const BEFORE_STARTUP_DONE = Symbol.for('homeiq.v8-settings.beforeStartupDone');

/** Registers `fn` to run once, just before `startupDone` changes the flags. */
export function beforeStartupDone(fn) {
  (process[BEFORE_STARTUP_DONE] ??= []).push(fn);
}

/** The young generation may grow again (V8's default factor, 2): the host has started, or has many sources. */
export function startupDone() {
  const hooks = process[BEFORE_STARTUP_DONE] ?? [];
  process[BEFORE_STARTUP_DONE] = [];
  for (const fn of hooks) fn();
  v8.setFlagsFromString('--semi-space-growth-factor=2');
}

/** From this many sources on, the young generation may grow during start-up. */
const MANY_SOURCES = 1000;

/**
 * The config is read (startHost's `onConfigLoaded`): a host with thousands of sources needs a young
 * generation that grows with their first runs; a home's dozen keep it small until they are done.
 */
export function sourcesLoaded(count) {
  if (count >= MANY_SOURCES) startupDone();
}
