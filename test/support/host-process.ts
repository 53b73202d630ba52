import { spawnCli } from './run-cli.js';

/**
 * Starts `homeiq start --config FILE` in its own process, waits (up to 10 s) for `/health` on
 * `port`, then stops it with SIGTERM as a supervisor would. Returns the status `/health` answered
 * (undefined when it never did), the exit code and everything the host printed.
 */
export async function startThenStop(
  configFile: string,
  port: number,
  env: Record<string, string> = {},
): Promise<{ health: number | undefined; code: number | null; output: string }> {
  const child = spawnCli(['start', '--config', configFile], env);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let health: Response | undefined;
  for (let i = 0; i < 200 && !health; i++) {
    await new Promise((r) => setTimeout(r, 50));
    health = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
  }
  child.kill('SIGTERM');
  return { health: health?.status, code: await exited, output: child.output() };
}
