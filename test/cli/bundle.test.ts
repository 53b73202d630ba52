import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { BUNDLE, bundleOptions, ensureBuilt } from '../../core/cli/build.mjs';
import { BIN, ROOT, freePort, runCli, spawnCli, type CliResult } from '../support/run-cli.js';
import { localStorageYaml, tempConfig } from '../support/temp-config.js';
import { eventually } from '../support/eventually.js';

const BUILDING = 'building HomeIQ Sources (first start after an update)...\n';

/**
 * `homeiq ARGS` straight through bin.mjs (unlike runCli, nothing is built beforehand), with its
 * bundle in `buildDir`, so that aging it does not disturb the other tests' runs.
 */
function runBin(args: string[], buildDir: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const env = { PATH: process.env.PATH ?? '', HOMEIQ_BUILD_DIR: buildDir };
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}


describe('homeiq runs a bundle of its sources', () => {
  it('builds a missing or stale bundle on start, saying so once, and several starts at the same moment all run', async () => {
    mkdirSync(path.join(ROOT, '.build'), { recursive: true });
    const buildDir = mkdtempSync(path.join(ROOT, '.build', 'test-'));
    const bundle = path.join(buildDir, 'cli.cjs');
    try {
      const first = await runBin(['--help'], buildDir);
      expect(first.stderr).toBe(BUILDING);
      expect(first.stdout).toMatch(/^Usage: homeiq <verb>/);
      // Older than every source, as after `git pull`; three starts at once each build and rename.
      utimesSync(bundle, new Date('2001-01-01T00:00:00Z'), new Date('2001-01-01T00:00:00Z'));
      const runs = await Promise.all([runBin(['--help'], buildDir), runBin(['--help'], buildDir), runBin(['--help'], buildDir)]);
      for (const r of runs) {
        expect(r.stderr).toBe(BUILDING);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^Usage: homeiq <verb>/);
      }
      expect(statSync(bundle).mtimeMs).toBeGreaterThan(Date.parse('2020-01-01'));
      // Newer than any source (even one another process saves meanwhile): it is used as it is.
      const future = new Date(Date.now() + 86_400_000);
      utimesSync(bundle, future, future);
      const again = await runBin(['--help'], buildDir);
      expect(again.stderr, 'a fresh bundle is not rebuilt').toBe('');
      expect(again.code).toBe(0);
      expect(Math.round(statSync(bundle).mtimeMs)).toBe(future.getTime());
    } finally {
      rmSync(buildDir, { recursive: true, force: true });
    }
  }, 90_000);

  it("writes V8's code cache of the bundle once started, reads it at the next start, and replaces a damaged one", async () => {
    mkdirSync(path.join(ROOT, '.build'), { recursive: true });
    const buildDir = mkdtempSync(path.join(ROOT, '.build', 'test-cache-'));
    const cache = path.join(buildDir, 'cli.cjs.v8-cache');
    const cfg = tempConfig('');
    const port = await freePort();
    cfg.write(`server:\n  host: 127.0.0.1\n  port: ${port}\n${localStorageYaml(cfg.dir)}sources: {}\n`);
    /** `homeiq start` until `done` holds (and /ready answered 200), then SIGTERM. */
    const startUntil = async (done: () => boolean) => {
      const child = spawnCli(['start', '--config', cfg.file], { HOMEIQ_BUILD_DIR: buildDir });
      try {
        await eventually('/ready answers 200', async () => (await fetch(`http://127.0.0.1:${port}/ready`).catch(() => null))?.status === 200, 30_000);
        await eventually('the code cache is in place', done, 10_000);
      } finally {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      return child.output();
    };
    try {
      await startUntil(() => existsSync(cache));
      const written = readFileSync(cache);
      expect(written.subarray(0, 18).toString()).toBe('homeiq-code-cache ');
      expect(written.length).toBeGreaterThan(100_000);
      // The next start reads it and leaves it as it is.
      await startUntil(() => true);
      await new Promise((r) => setTimeout(r, 300));
      expect(readFileSync(cache).equals(written), 'a valid cache is not written again').toBe(true);
      // Damaged data under the right stamp: V8 refuses it, the host starts all the same and writes a good one.
      const stamp = written.subarray(0, written.indexOf(10) + 1);
      writeFileSync(cache, Buffer.concat([stamp, Buffer.alloc(4096, 7)]));
      const output = await startUntil(() => readFileSync(cache).length > 100_000);
      expect(output).not.toMatch(/error/i);
      expect(readFileSync(cache).subarray(0, stamp.length).equals(stamp)).toBe(true);
    } finally {
      rmSync(buildDir, { recursive: true, force: true });
    }
  }, 90_000);

  it('serves its version and status page from the source folders, wherever the bundle lives', async () => {
    const port = await freePort();
    const cfg = tempConfig('');
    cfg.write(`server:\n  host: 127.0.0.1\n  port: ${port}\n${localStorageYaml(cfg.dir)}sources: {}\n`);
    await ensureBuilt({ quiet: true });
    const child = spawnCli(['start', '--config', cfg.file]);
    try {
      const url = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 20_000;
      let health: Response | undefined;
      while (!health && Date.now() < deadline) {
        health = await fetch(`${url}/health`).catch(() => undefined);
        if (!health) await new Promise((r) => setTimeout(r, 50));
      }
      expect(health?.status, child.output()).toBe(200);
      const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
      expect(((await health!.json()) as { version: string }).version).toBe(pkg.version);
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toBe(readFileSync(path.join(ROOT, 'core/http/status-page/index.html'), 'utf8'));
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }, 30_000);

  it('loads a TypeScript drop-in plugin (through tsx, registered only for it)', async () => {
    const cfg = tempConfig('');
    const folder = path.join(cfg.dir, 'typed-sensor');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'package.json'), JSON.stringify({ type: 'module', main: 'index.ts' }));
    writeFileSync(
      path.join(folder, 'index.ts'),
      [
        'interface Options { reading: number }',
        'export default {',
        "  id: 'typed-sensor', apiVersion: 1, title: 'Typed sensor',",
        "  options: { type: 'object', properties: { reading: { type: 'number', default: 21.5 } } },",
        '  create({ options }: { options: Options }) {',
        "    return { async fetch() { return [{ measurement: 'typed', tags: {}, fields: { value: options.reading }, time: new Date(1767225600000) }]; } };",
        '  },',
        '};',
        '',
      ].join('\n'),
    );
    cfg.write(`${localStorageYaml(cfg.dir)}sources:\n  den:\n    plugin: ./typed-sensor\n    interval: 1h\n`);
    const r = await runCli(['once', '--config', cfg.file]);
    expect(r.stderr).toBe('# den: 1 point(s)\n');
    expect(r.stdout).toContain('typed,source=den value=21.5 1767225600000000000');
    expect(r.code).toBe(0);
  }, 30_000);

  it('points stack traces of its own code at the TypeScript sources', async () => {
    await ensureBuilt({ quiet: true });
    const map = JSON.parse(readFileSync(`${BUNDLE}.map`, 'utf8')) as { sources: string[] };
    expect(map.sources).toContain('../core/cli/cli.ts');
    expect(map.sources.filter((s) => s.includes('node_modules'))).toEqual([]);
  });

  it("leaves temporal-polyfill's debugging text of every Temporal object out", async () => {
    await ensureBuilt({ quiet: true });
    // Its `dbg` gives each object an `_str_` unless minified (core/cli/build.mjs answers the check).
    expect(readFileSync(BUNDLE, 'utf8')).not.toContain('_str_');
  });

  it('is ASCII, as the loader reads it (latin1), with non-ASCII text of its sources escaped', async () => {
    await ensureBuilt({ quiet: true });
    const bytes = readFileSync(BUNDLE);
    expect(bytes.findIndex((b) => b > 0x7f)).toBe(-1);
    // plugins/open-meteo's unit °C: escaped, not dropped.
    expect(bytes.toString('latin1')).toContain('"\\xB0C"');
  });

  it("leaves got's HTTP/2 support out of the bundle, with a clear error for a plugin that asks for it", async () => {
    await ensureBuilt({ quiet: true });
    const text = readFileSync(BUNDLE, 'utf8');
    expect(text).not.toMatch(/require\("(?:node:)?http2"\)|from "(?:node:)?http2"/);
    expect(text).toContain("got's http2 option is not available in HomeIQ Sources");
    const stub = (await import('../../core/cli/http2-unsupported.mjs')) as { default: { auto: () => unknown } };
    expect(() => stub.default.auto()).toThrow(/http2 option is not available.*use HTTP\/1\.1/);
  });

  it('maps a trace through the source map only when one is formatted, as V8 writes it', async () => {
    // A bundle like homeiq's (same esbuild options, a linked map), run by node with bin.mjs's hook.
    const dir = mkdtempSync(path.join(ROOT, '.build/test-stack-'));
    try {
      writeFileSync(path.join(dir, 'deep.ts'), ['export class Gauge {', '  read(): number {', "    throw new RangeError('sensor out of range');", '  }', '}', ''].join('\n'));
      writeFileSync(path.join(dir, 'entry.ts'), ["import { Gauge } from './deep.js';", 'export function main(): number {', '  return new Gauge().read();', '}', ''].join('\n'));
      const outfile = path.join(dir, 'out.cjs');
      await build({ ...bundleOptions(path.join(dir, 'entry.ts'), outfile), sourcemap: 'linked', logLevel: 'silent' });
      const script = [
        `import { mapStackTraces } from ${JSON.stringify(path.join(ROOT, 'core/cli/stack-traces.mjs'))};`,
        `import { loadBundle } from ${JSON.stringify(path.join(ROOT, 'core/cli/bundle-loader.mjs'))};`,
        `mapStackTraces(${JSON.stringify(outfile)});`,
        `const { main } = loadBundle(${JSON.stringify(outfile)}).exports;`,
        'try { main(); } catch (err) { console.log(err.stack); }',
      ].join('\n');
      const r = await new Promise<CliResult>((resolve) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
      expect(r.stderr).toBe('');
      const lines = r.stdout.trim().split('\n');
      expect(lines[0]).toBe('RangeError: sensor out of range');
      expect(lines[1]).toBe(`    at Gauge.read (${path.join(dir, 'deep.ts')}:3:11)`);
      expect(lines[2]).toBe(`    at main (${path.join(dir, 'entry.ts')}:3:22)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
