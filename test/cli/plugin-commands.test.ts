import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { tempConfig } from '../support/temp-config.js';

// Commands that plugins declare: `npx homeiq <command>` finds them, `--help` lists them.

/** A drop-in plugin with one command that echoes its arguments and exits with the code it is given. */
const GREETER = `export default {
  id: 'greeter',
  apiVersion: 1,
  title: 'Greeter',
  commands: [
    {
      name: 'greet',
      summary: 'say hello to someone',
      usage: 'NAME [EXIT_CODE]',
      run: (args, io) => {
        if (args[0] === 'boom') throw new Error('it went boom');
        io.out('hello ' + args[0] + ' from ' + (io.env.GREETING_PLACE ?? 'nowhere') + '\\n');
        return Number(args[1] ?? 0);
      },
    },
  ],
  create: () => ({ fetch: async () => ({ points: [] }) }),
};
`;

function greeterConfig() {
  const cfg = tempConfig('');
  writeFileSync(path.join(cfg.dir, 'greeter.mjs'), GREETER);
  cfg.write(`storage:\n  local_dir: ${path.join(cfg.dir, 'points')}\nsources:\n  hello:\n    plugin: ./greeter.mjs\n`);
  return cfg;
}

describe('plugin commands', () => {
  it('homeiq --help lists the commands of the built-in plugins and of the drop-in plugins the config names', async () => {
    const cfg = greeterConfig();
    const r = await runCli(['--help', '--config', cfg.file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const commands = r.stdout.slice(r.stdout.indexOf('Plugin commands:'));
    expect(commands).toContain(
      '  register-watttime --username U --email E [--org O] [--password-file F]\n             create a WattTime account (asks for the password without echoing it) (plugin watttime)\n',
    );
    expect(commands).toMatch(/ {2}google-auth --client-id ID --client-secret SECRET\n {13}obtain a Google refresh token .* \(plugin google-calendar\)\n/);
    expect(commands).toContain('  greet NAME [EXIT_CODE]\n             say hello to someone (plugin greeter)\n');
  });

  it('runs a drop-in plugin command with its arguments, environment and exit code', async () => {
    const cfg = greeterConfig();
    const byEnv = await runCli(['greet', 'Ada', '3'], { HOMEIQ_CONFIG: cfg.file, GREETING_PLACE: 'the loop' });
    expect(byEnv).toEqual({ code: 3, stdout: 'hello Ada from the loop\n', stderr: '' });
    const byFlag = await runCli(['--config', cfg.file, 'greet', 'Grace']);
    expect(byFlag).toEqual({ code: 0, stdout: 'hello Grace from nowhere\n', stderr: '' });
    const failing = await runCli(['-c', cfg.file, 'greet', 'boom']);
    expect(failing).toEqual({ code: 1, stdout: '', stderr: 'homeiq greet: it went boom\n' });
  });

  it('a command no plugin declares is an unknown verb (exit 2)', async () => {
    const cfg = greeterConfig();
    const r = await runCli(['--config', cfg.file, 'wave']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown verb "wave"');
  });

  it('the built-in plugin commands work without a config file', async () => {
    const env = { HOMEIQ_CONFIG: '/nonexistent/sources.yaml' };
    const help = await runCli(['register-watttime', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: homeiq register-watttime --username NAME --email ADDRESS/);
    const missing = await runCli(['register-watttime', '--email', 'a@example.com'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^homeiq register-watttime: --username is required\n/);
    const google = await runCli(['google-auth'], env);
    expect(google.code).toBe(2);
    expect(google.stderr).toMatch(/^homeiq google-auth: --client-id is required/);
  });

  it('homeiq plugins shows the commands of each plugin', async () => {
    const cfg = greeterConfig();
    const r = await runCli(['plugins', '--config', cfg.file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  command: homeiq greet NAME [EXIT_CODE]  say hello to someone');
    expect(r.stdout).toContain('  command: homeiq register-watttime --username U --email E');
  });
});
