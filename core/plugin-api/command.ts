/** Where a plugin command writes, and the environment it reads. */
export interface CommandIo {
  /** The command's result (config lines to copy): stdout. */
  out(text: string): void;
  /** Prompts, progress and errors: stderr. */
  err(text: string): void;
  env: NodeJS.ProcessEnv;
}

/**
 * A command a plugin adds to the CLI: `npx homeiq <name> [args]`, listed by `npx homeiq --help`
 * with its plugin. It runs on the user's request only, outside the host (no source, no storage):
 * for one-off set-up such as creating an account or obtaining a refresh token.
 */
export interface PluginCommand {
  /** What the user types after `homeiq`, `[a-z0-9][a-z0-9_-]*`; a name the CLI has already is refused. */
  name: string;
  /** One line for `homeiq --help`. */
  summary: string;
  /** The arguments, shown under the summary in `homeiq --help`, e.g. `--username U [--org O]`. */
  usage: string;
  /**
   * Runs the command with the arguments after its name; resolves to the exit code (0 ok, 1 failure,
   * 2 bad arguments). A thrown error is printed as `homeiq <name>: <message>` with exit code 1.
   */
  run(args: string[], io: CommandIo): Promise<number> | number;
}
