import { parseArgs } from 'node:util';
import { ConfigError } from '../plugin-api/errors.js';
import { checkCommand } from './check.js';
import type { CommandIo } from '../plugin-api/command.js';
import { onceCommand } from './once.js';
import { planCommand } from './plan.js';
import { commandsHelp, findCommand, pluginCommands } from './plugin-commands.js';
import { pluginsCommand } from './plugins.js';
import { startCommand } from './start.js';

export const EXIT = { ok: 0, failure: 1, badConfig: 2 } as const;

const USAGE = `Usage: homeiq <verb> [--config FILE]

Verbs:
  start      run the host (default)
  check      validate the config, try each source's credentials once, print a table
  once       fetch every enabled source once and print the points as line protocol; writes nothing
  plugins    list installed plugins with their options and commands
  plan       ask the running host for the best window of a load:
             plan --duration 2h [--deadline 07:00] [--not-before 22:00] [--energy 1.2] [--url URL]
  <command>  a command of a built-in plugin or of a drop-in plugin the config names (see below)

Options:
  -c, --config FILE   config file (default: $HOMEIQ_CONFIG or config/sources.yaml)
  -h, --help          this text
`;

const VERBS = ['start', 'check', 'once', 'plugins', 'plan'];

export type CliIo = CommandIo;

const defaultIo: CliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  env: process.env,
};

const configFileOf = (flag: string | undefined, io: CliIo) => flag ?? io.env.HOMEIQ_CONFIG ?? 'config/sources.yaml';

/** A leading `--config FILE` (or `-c FILE`, `--config=FILE`), and where the verb follows it. */
function configPrefix(argv: string[]): { config?: string; at: number } {
  if ((argv[0] === '-c' || argv[0] === '--config') && argv[1] !== undefined) return { config: argv[1], at: 2 };
  if (argv[0]?.startsWith('--config=')) return { config: argv[0].slice('--config='.length), at: 1 };
  return { at: 0 };
}

/**
 * `[--config FILE] <name> args…` where `name` is no verb of the CLI: a plugin command, which
 * parses its own arguments.
 */
function commandCall(argv: string[]): { name: string; args: string[]; config?: string } | undefined {
  const { config, at } = configPrefix(argv);
  const name = argv[at];
  if (!name || name.startsWith('-') || VERBS.includes(name)) return undefined;
  return { name, args: argv.slice(at + 1), config };
}

/** Runs a plugin command; undefined when no plugin declares one of that name. */
async function runPluginCommand(call: { name: string; args: string[]; config?: string }, io: CliIo): Promise<number | undefined> {
  const found = await findCommand(call.name, configFileOf(call.config, io), io.env);
  if (!found) return undefined;
  try {
    return await found.command.run(call.args, io);
  } catch (err) {
    io.err(`homeiq ${call.name}: ${(err as Error).message}\n`);
    return EXIT.failure;
  }
}

/** `[--config FILE] plan flags…`: plan parses its own flags. */
function planCall(argv: string[]): { args: string[]; config?: string } | undefined {
  const { config, at } = configPrefix(argv);
  return argv[at] === 'plan' ? { args: argv.slice(at + 1), config } : undefined;
}

async function runPlan(call: { args: string[]; config?: string }, io: CliIo): Promise<number> {
  try {
    return await planCommand(call.args, configFileOf(call.config, io), io);
  } catch (err) {
    io.err(`${err instanceof ConfigError ? '' : 'homeiq plan: '}${(err as Error).message}\n`);
    return err instanceof ConfigError ? EXIT.badConfig : EXIT.failure;
  }
}

/** Runs the CLI and returns the exit code (0 ok, 1 runtime failure, 2 bad config or arguments). */
export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const plan = planCall(argv);
  if (plan) return runPlan(plan, io);
  const call = commandCall(argv);
  const code = call ? await runPluginCommand(call, io) : undefined;
  if (code !== undefined) return code;
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    io.err(`homeiq: ${(err as Error).message}\n\n${USAGE}`);
    return EXIT.badConfig;
  }
  const [verb = 'start', ...rest] = parsed.positionals;
  const configFile = configFileOf(parsed.values.config, io);
  if (parsed.values.help) {
    io.out(USAGE + commandsHelp(await pluginCommands(configFile, io.env)));
    return EXIT.ok;
  }
  if (rest.length > 0) {
    io.err(`homeiq: unexpected argument "${rest[0]}"\n\n${USAGE}`);
    return EXIT.badConfig;
  }
  try {
    switch (verb) {
      case 'start':
        return await startCommand(configFile, io);
      case 'check':
        return await checkCommand(configFile, io);
      case 'once':
        return await onceCommand(configFile, io);
      case 'plugins':
        return await pluginsCommand(configFile, io);
      default:
        io.err(`homeiq: unknown verb "${verb}"\n\n${USAGE}`);
        return EXIT.badConfig;
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`${err.message}\n`);
      return EXIT.badConfig;
    }
    io.err(`homeiq: ${(err as Error).message}\n`);
    return EXIT.failure;
  }
}
