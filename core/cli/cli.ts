import { parseArgs } from 'node:util';
import { ConfigError } from '../plugin-api/errors.js';
import { checkCommand } from './check.js';
import { googleAuthCommand } from './google-auth.js';
import { onceCommand } from './once.js';
import { pluginsCommand } from './plugins.js';
import { registerWattTimeCommand } from './register-watttime.js';
import { startCommand } from './start.js';

export const EXIT = { ok: 0, failure: 1, badConfig: 2 } as const;

const USAGE = `Usage: homeiq <verb> [--config FILE]

Verbs:
  start      run the host (default)
  check      validate the config, try each source's credentials once, print a table
  once       fetch every enabled source once and print the points as line protocol; writes nothing
  plugins    list installed plugins with their options
  register-watttime --username U --email E [--org O] [--password-file F]
             create a WattTime account (asks for the password without echoing it)
  google-auth --client-id ID --client-secret SECRET
             obtain a Google refresh token on a headless host (see plugins/google-calendar/README.md)

Options:
  -c, --config FILE   config file (default: $HOMEIQ_CONFIG or config/sources.yaml)
  -h, --help          this text
`;

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

const defaultIo: CliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  env: process.env,
};

/** Runs the CLI and returns the exit code (0 ok, 1 runtime failure, 2 bad config or arguments). */
/** Verbs that parse their own arguments. */
const OWN_ARGUMENTS: Record<string, (args: string[], io: CliIo) => Promise<number>> = {
  'google-auth': googleAuthCommand,
  'register-watttime': registerWattTimeCommand,
};

export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const own = argv[0] ? OWN_ARGUMENTS[argv[0]] : undefined;
  if (own) {
    try {
      return await own(argv.slice(1), io);
    } catch (err) {
      io.err(`homeiq ${argv[0]}: ${(err as Error).message}\n`);
      return EXIT.failure;
    }
  }
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
  if (parsed.values.help) {
    io.out(USAGE);
    return EXIT.ok;
  }
  if (rest.length > 0) {
    io.err(`homeiq: unexpected argument "${rest[0]}"\n\n${USAGE}`);
    return EXIT.badConfig;
  }
  const configFile = parsed.values.config ?? io.env.HOMEIQ_CONFIG ?? 'config/sources.yaml';
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
