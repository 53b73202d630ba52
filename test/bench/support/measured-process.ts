import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readdirSync, readFileSync } from 'node:fs';

/** A server process under measurement: its resident memory read from /proc, its start time kept. */
export class MeasuredProcess {
  readonly startedAt: number;
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  private constructor(command: string, args: readonly string[], logFile: string, env: NodeJS.ProcessEnv) {
    const fd = openSync(logFile, 'a');
    this.startedAt = performance.now();
    this.child = spawn(command, [...args], { stdio: ['ignore', fd, fd], env });
    closeSync(fd);
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  /** Spawns `command`; output goes to `logFile`. */
  static spawn(command: string, args: readonly string[], logFile: string, env: NodeJS.ProcessEnv = process.env): MeasuredProcess {
    return new MeasuredProcess(command, args, logFile, env);
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resident set size now, in MiB (VmRSS of /proc/<pid>/status). */
  rssMb(): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return kb / 1024;
  }

  /** Peak resident set size so far, in MiB (VmHWM of /proc/<pid>/status). */
  peakRssMb(): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]) / 1024;
  }

  /**
   * CPU time the process has used so far, in seconds: the sum of its threads' time on a CPU from
   * /proc/<pid>/task/<tid>/schedstat (nanoseconds; utime and stime in /proc/<pid>/stat count 10 ms
   * ticks, too coarse for an idle process over a few seconds).
   */
  cpuSeconds(): number {
    let ns = 0;
    for (const task of readdirSync(`/proc/${this.child.pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${this.child.pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread ended between the listing and the read
      }
    }
    return ns / 1e9;
  }

  /**
   * Polls `url` every 5 ms until it answers 200; returns the milliseconds since spawn. Throws
   * when the process exits or `timeoutMs` passes.
   */
  async until200(url: string, timeoutMs = 30_000): Promise<number> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (!this.alive) throw new Error(`the process exited before ${url} answered 200`);
      const ok = await fetch(url).then(
        async (r) => (await r.arrayBuffer(), r.status === 200),
        () => false,
      );
      if (ok) return performance.now() - this.startedAt;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(killer);
  }
}

/** Reads a whole log file, for a failure message. */
export function tail(file: string, chars = 2000): string {
  try {
    return readFileSync(file, 'utf8').slice(-chars);
  } catch {
    return '';
  }
}
