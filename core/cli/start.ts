import { startHost } from '../main.js';
import type { CliIo } from './cli.js';

/** `homeiq start`: runs until SIGTERM or SIGINT; SIGHUP reloads the config. */
export async function startCommand(configFile: string, io: CliIo): Promise<number> {
  const running = await startHost({ configFile, env: io.env });
  return new Promise<number>((resolve) => {
    const shutdown = (signal: string) => {
      running.logger.info({ signal }, 'shutting down');
      running.stop().then(
        () => resolve(0),
        (err) => {
          running.logger.error({ err }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGHUP', () => void running.reloader.reload('SIGHUP'));
  });
}
