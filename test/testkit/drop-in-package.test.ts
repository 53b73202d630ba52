import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dropInExamplePlugin } from '../support/readme-plugin.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A plugin that breaks the contract: untyped errors, and a request the run's signal cannot stop. */
const CARELESS_PLUGIN = `export default {
  id: 'careless', apiVersion: 1, title: 'Careless', base_url: 'http://127.0.0.1:9',
  credentials: { style: 'api_key', send: { in: 'header', name: 'X-API-Key' } },
  create({ options }) {
    return {
      async fetch() {
        const res = await fetch(new URL('reading', options.base_url + '/'));
        if (!res.ok) throw new Error('failed');
        await res.json().catch(() => { throw new Error('failed'); });
        return [];
      },
    };
  },
};
`;

/** The README's testing example, as an author outside this repository writes it. */
const conformanceTest = (plugin: string) => `import { describe, it } from 'vitest';
import { conformance } from 'homeiq-sources/testkit';
import plugin from '${plugin}';

describe(plugin.id, () => {
  for (const check of conformance(plugin, { credentials: { api_key: 'test-key-1234' } })) it(check.name, check.run);
});
`;

/** A project folder outside the repository whose node_modules links this package and vitest. */
function authorProject(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'homeiq-author-'));
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(ROOT, path.join(dir, 'node_modules', 'homeiq-sources'), 'dir');
  symlinkSync(realpathSync(path.join(ROOT, 'node_modules', 'vitest')), path.join(dir, 'node_modules', 'vitest'), 'dir');
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'my-plugins', type: 'module', private: true }));
  dropInExamplePlugin(dir);
  writeFileSync(path.join(dir, 'example.test.mjs'), conformanceTest('./example-sensor/index.mjs'));
  writeFileSync(path.join(dir, 'careless.mjs'), CARELESS_PLUGIN);
  writeFileSync(path.join(dir, 'careless.test.mjs'), conformanceTest('./careless.mjs'));
  return dir;
}

interface Report {
  testResults: { assertionResults: { fullName: string; status: string }[] }[];
}

/** Runs vitest in `dir` as its own project (no VITEST_* of this run) and reads its JSON report. */
function runVitest(dir: string): Promise<Report> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));
  const vitest = path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
  const child = spawn(process.execPath, [vitest, 'run', '--root', dir, '--reporter=json', '--outputFile=report.json'], { cwd: dir, env, stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', () => resolve(JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as Report));
  });
}

describe('a drop-in plugin tested outside this repository', () => {
  it('imports homeiq-sources/testkit through the package export and runs the conformance suite under vitest', { timeout: 60_000 }, async () => {
    const dir = authorProject();
    const report = await runVitest(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
    const results = report.testResults.flatMap((f) => f.assertionResults);
    const status = (name: string) => Object.fromEntries(results.filter((r) => r.fullName.startsWith(`${name} `)).map((r) => [r.fullName.slice(name.length + 1), r.status]));
    const example = status('example-sensor');
    expect(Object.keys(example).length).toBeGreaterThanOrEqual(7);
    expect(Object.values(example).every((s) => s === 'passed')).toBe(true);
    // The suite can fail: a plugin with untyped errors that ignores the run's signal does.
    const careless = status('careless');
    expect(careless).toMatchObject({
      'its options schema is valid JSON Schema': 'passed',
      'waits in standby without credentials and calls nothing': 'passed',
      '401 is a credentials error': 'failed',
      'a malformed payload is a data error and nothing is written': 'failed',
      "honours the run's signal: a run that times out ends promptly and drops its request": 'failed',
    });
  });
});
