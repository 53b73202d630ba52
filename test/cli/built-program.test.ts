import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, builtProgram, freePort, runCli } from '../support/run-cli.js';
import { eventually } from '../support/eventually.js';
import { localStorageYaml, tempConfig } from '../support/temp-config.js';

/** A config of no sources on a free port. */
async function emptyConfig(): Promise<{ file: string; url: string }> {
  const port = await freePort();
  const cfg = tempConfig('');
  cfg.write(`server:\n  host: 127.0.0.1\n  port: ${port}\n${localStorageYaml(cfg.dir)}sources: {}\n`);
  return { file: cfg.file, url: `http://127.0.0.1:${port}` };
}

/** `node PROGRAM start --config FILE` until /health answers; checks the version and the status page. */
async function expectServes(program: string, cwd: string): Promise<void> {
  const { file, url } = await emptyConfig();
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [program, 'start', '--config', file], { cwd, env: { PATH: process.env.PATH ?? '' } });
  let output = '';
  child.stderr.on('data', (d) => (output += d));
  try {
    await eventually('/health answers', async () => (await fetch(`${url}/health`).catch(() => null))?.status === 200, 20_000);
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(((await (await fetch(`${url}/health`)).json()) as { version: string }).version, output).toBe(pkg.version);
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toBe(readFileSync(path.join(ROOT, 'core/http/status-page/index.html'), 'utf8'));
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

describe('the built program (dist/homeiq.mjs, what npm start runs)', () => {
  it('starts under plain node and serves its version and status page from the package folder', async () => {
    await expectServes(builtProgram(), ROOT);
  }, 30_000);

  it('runs from a copy of the package elsewhere (its assets are found from its own location)', async () => {
    const copy = mkdtempSync(path.join(tmpdir(), 'homeiq-install-'));
    try {
      for (const entry of ['package.json', 'tsconfig.json', 'dist', 'core/http/status-page']) cpSync(path.join(ROOT, entry), path.join(copy, entry), { recursive: true });
      symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
      await expectServes(path.join(copy, 'dist/homeiq.mjs'), tmpdir());
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }, 30_000);

  it('homeiq runs the same built file, and says how to build it when it is missing', async () => {
    const help = await runCli(['--help']);
    expect(help.stdout).toMatch(/^Usage: homeiq <verb>/);
    const { spawnSync } = await import('node:child_process');
    expect(spawnSync(process.execPath, [BIN, '--help'], { cwd: ROOT, encoding: 'utf8' }).stdout).toBe(help.stdout);
    const bare = mkdtempSync(path.join(tmpdir(), 'homeiq-unbuilt-'));
    try {
      mkdirSync(path.join(bare, 'core/cli'), { recursive: true });
      for (const f of ['package.json', 'core/cli/bin.mjs', 'core/cli/build.mjs']) cpSync(path.join(ROOT, f), path.join(bare, f));
      const r = spawnSync(process.execPath, [path.join(bare, 'core/cli/bin.mjs'), '--help'], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`homeiq: ${path.join(bare, 'dist/homeiq.mjs')} is missing or older than the sources; build it with \`npm run build\`\n`);
    } finally {
      rmSync(bare, { recursive: true, force: true });
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
    expect(r.stderr).toBe('# den: 1 point(s), at 2026-01-01T00:00:00.000Z\n');
    expect(r.stdout).toContain('typed,source=den value=21.5 1767225600000000000');
    expect(r.code).toBe(0);
  }, 30_000);

  it('reports a drop-in plugin with a syntax error by file:line:column', async () => {
    const cfg = tempConfig('');
    const plugin = path.join(cfg.dir, 'x.mjs');
    writeFileSync(plugin, ['export default {', '  id: "x",', '  title: { {', '};', ''].join('\n'));
    cfg.write(`${localStorageYaml(cfg.dir)}sources:\n  den:\n    plugin: ./x.mjs\n    interval: 1h\n`);
    const r = await runCli(['check', '--config', cfg.file]);
    expect(r.stdout + r.stderr).toContain(`plugin ./x.mjs failed to load: ${plugin}:3:12: Unexpected token '{'`);
    expect(r.code).not.toBe(0);
  }, 30_000);

  it('starts as npm start runs it (the same file and arguments)', () => {
    const start = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
    expect(start).toBe(`exec node ${path.relative(ROOT, builtProgram())} start`);
  });
});
