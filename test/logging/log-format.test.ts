import { beforeAll, describe, expect, it } from 'vitest';
import { dropInExamplePlugin, exampleSourceYaml } from '../support/readme-plugin.js';
import { startThenStop } from '../support/host-process.js';
import { freePort, runCli } from '../support/run-cli.js';
import { localStorageYaml, tempConfig } from '../support/temp-config.js';

// What `homeiq start` prints, chosen by LOG_FORMAT (stdout of a test is a pipe, not a terminal).

/** Starts the host with `env`, waits for /health, stops it and returns everything it printed. */
async function startAndStop(env: Record<string, string>): Promise<string> {
  const port = await freePort();
  const cfg = tempConfig('');
  dropInExamplePlugin(cfg.dir);
  const source = exampleSourceYaml('hallway', '${EXAMPLE_API_KEY}', 'http://127.0.0.1:9', '', { interval: null });
  cfg.write(`server:\n  host: 127.0.0.1\n  port: ${port}\n${localStorageYaml(cfg.dir)}sources:\n${source}`);
  const { health, code, output } = await startThenStop(cfg.file, port, env);
  expect(health).toBe(200);
  expect(code).toBe(0);
  return output;
}

describe('LOG_FORMAT', () => {
  // runCli builds the bundle first, so the host's output holds no "building" line.
  beforeAll(() => runCli(['--help']));

  it('json (the default when stdout is no terminal): one JSON object a line', async () => {
    for (const env of [{}, { LOG_FORMAT: 'json' }] as Record<string, string>[]) {
      const lines = (await startAndStop(env)).trim().split('\n');
      expect(lines.length).toBeGreaterThan(1);
      const records = lines.map((line) => JSON.parse(line) as { msg: string; level: number });
      expect(records.map((r) => r.msg)).toContain('stopped');
    }
  }, 30_000);

  it('pretty: readable lines with time, level and message, no JSON', async () => {
    const output = await startAndStop({ LOG_FORMAT: 'pretty' });
    const lines = output.trim().split('\n');
    expect(lines.filter((line) => line.startsWith('{'))).toEqual([]);
    expect(output).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(homeiq\): stopped$/m);
    expect(output).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] (WARN|INFO) \(homeiq\): no credentials configured: standby$/m);
    // No colour codes into a pipe.
    expect(output).not.toContain('\u001b[');
  }, 30_000);

  it('any other value is a bad setting: exit 2 naming LOG_FORMAT, nothing started', async () => {
    const cfg = tempConfig('');
    cfg.write(`${localStorageYaml(cfg.dir)}sources: {}\n`);
    const r = await runCli(['start', '--config', cfg.file], { LOG_FORMAT: 'xml' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('environment variable LOG_FORMAT must be pretty or json, not "xml"\n');
  });
});
