import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';

/** A server process started by a test: output to a log file, stopped with SIGTERM then SIGKILL. */
export class ManagedProcess {
  private child: ChildProcess | null = null;
  private exit: Promise<void> = Promise.resolve();

  constructor(
    private readonly command: string,
    private readonly args: readonly string[],
    /** Where stdout and stderr go. */
    readonly logFile: string,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** True from `start` until the process exits. */
  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.running) throw new Error(`${this.command} is already running`);
    const fd = openSync(this.logFile, 'a');
    const child = spawn(this.command, [...this.args], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    this.child = child;
    this.exit = new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
    });
  }

  /** Stops the process and waits for it to exit (SIGKILL after `graceMs`). */
  async stop(graceMs = 5000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exit;
    clearTimeout(killer);
  }

  /** The end of the log, for error messages. */
  logTail(chars = 2000): string {
    try {
      return readFileSync(this.logFile, 'utf8').slice(-chars);
    } catch {
      return '';
    }
  }
}

/**
 * Polls `check` until it returns true; fails when `alive` turns false (the process died, e.g. its
 * port was taken) or after `timeoutMs`.
 */
export async function waitUntil(what: string, check: () => Promise<boolean>, alive: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`${what}: the process exited`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}: not ready after ${timeoutMs} ms`);
}

/**
 * Starts a test server: `attempt` picks free ports and starts it; a port another process took
 * meanwhile fails the attempt, so up to three are made, the server stopped after each failure
 * and destroyed (its data folder removed) after the last, whose error is thrown.
 */
export async function startWithRetries<S extends { stop(): Promise<void>; destroy(): Promise<void> }>(server: S, attempt: () => Promise<void>): Promise<S> {
  let lastError: unknown;
  for (let i = 0; i < 3; i++) {
    try {
      await attempt();
      return server;
    } catch (err) {
      lastError = err;
      await server.stop();
    }
  }
  await server.destroy();
  throw lastError;
}
