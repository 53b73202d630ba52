#!/usr/bin/env node
// `npm test`: the whole suite through vitest, then one plain closing line `N passed, N failed`
// (CI reads that line, not vitest's own summary). Extra arguments go to vitest (a file filter).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'homeiq-test-'));
const report = path.join(dir, 'report.json');
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
const args = [vitest, 'run', '--config', 'test/vitest.config.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)];
const started = Date.now();
// The tests run the built program, as `npm start` does: built once here, so it is never stale.
const built = spawnSync(process.execPath, [path.join(root, 'core/cli/build.mjs')], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) {
  rmSync(dir, { recursive: true, force: true });
  console.log('\n0 passed, 1 failed');
  process.exit(1);
}
const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: process.env });

let passed = 0;
let failed = 0;
try {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed = json.numPassedTests ?? 0;
  failed = (json.numFailedTests ?? 0) + (json.numRuntimeErrorTestSuites ?? 0);
  // A file that fails to load has no tests of its own but must count as a failure.
  for (const file of json.testResults ?? []) {
    if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) failed += 1;
  }
} catch {
  failed += 1;
  console.error('test/run.mjs: vitest wrote no report (it crashed before running the tests)');
}
rmSync(dir, { recursive: true, force: true });
const code = result.status ?? 1;
if (code !== 0 && failed === 0) failed = 1;
console.log(`\nsuite took ${((Date.now() - started) / 1000).toFixed(1)}s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(code === 0 && failed === 0 ? 0 : 1);
