import { setMaxListeners } from 'node:events';
import type { Got } from 'got';
import type { Logger } from 'pino';
import type { RunContext } from '../plugin-api/data-source.js';
import { errors as errorClasses, TimeoutError } from '../plugin-api/errors.js';
import type { SourcePoint } from '../plugin-api/point.js';

/** What a run ends with: the points written, or the error that failed it. */
export interface RunOutcome {
  ok: boolean;
  points: SourcePoint[];
  error?: Error;
}

/** What a run needs of its source's runner (SourceRunner). */
export interface RunOwner {
  readonly id: string;
  readonly logger: Logger;
  /** The source's got client (its base URL, credentials and retries), made on first use. */
  readonly http: Got;
  /** The run ended: the plugin's answer (`ok`), its error, or the reason it was aborted. */
  runEnded(run: Run, value: unknown, ok: boolean): void;
}

/**
 * One run of a source and the context its plugin receives (RunContext). Its `signal` aborts when
 * the run's `timeout` passes or the host stops; its `http` is the source's client bound to that
 * signal, so a request of a run can never outlive it, however the plugin keeps `ctx.http`.
 */
export class Run implements RunContext {
  readonly errors = errorClasses;
  readonly credentials: Readonly<Record<string, string>>;
  /** Set once the outcome is decided (the plugin answered, or the run was aborted first). */
  ended = false;
  /** The runner plans its next run when this one ends (a run of the schedule, or one it joined). */
  scheduled: boolean;
  /** Made when the plugin first reads `signal` or `http`: 10,000 runs due at once start one by one. */
  private controller: AbortController | null = null;
  private abortReason: unknown = undefined;
  private lastSuccessDate: Date | null | undefined = undefined;
  private tickDate: Date | undefined = undefined;
  private readonly timer: NodeJS.Timeout;
  /** When the run's time is up, on the monotonic clock. */
  private readonly deadline: number;
  private readonly timeoutMs: number;
  private ownHttp: Got | null = null;
  private result: RunOutcome | null = null;
  private waiter: { promise: Promise<RunOutcome>; resolve: (outcome: RunOutcome) => void } | null = null;

  constructor(
    private readonly runner: RunOwner,
    readonly options: Record<string, unknown>,
    credentials: Readonly<Record<string, string>>,
    private readonly lastSuccessMs: number | null,
    readonly started: number,
    scheduled: boolean,
    timeoutMs: number,
    /** When the run was due (ms): its schedule's tick; `started` for a run on demand. */
    private readonly tickMs: number = started,
  ) {
    this.credentials = credentials;
    this.scheduled = scheduled;
    this.timeoutMs = timeoutMs;
    this.deadline = performance.now() + timeoutMs;
    this.timer = setTimeout(() => this.abort(this.timeoutError), timeoutMs);
  }

  get timeoutError(): TimeoutError {
    return new TimeoutError(`the run did not finish within ${this.timeoutMs / 1000}s (the source's timeout option)`);
  }

  /**
   * Whether the run's time is up: a plugin that blocks the event loop past its timeout (a busy
   * loop) answers before the timer can fire, and its answer is then a timeout, not a success.
   */
  overdue(): boolean {
    return performance.now() >= this.deadline;
  }

  get sourceId(): string {
    return this.runner.id;
  }

  get logger(): Logger {
    return this.runner.logger;
  }

  get lastSuccess(): Date | null {
    if (this.lastSuccessDate === undefined) this.lastSuccessDate = this.lastSuccessMs === null ? null : new Date(this.lastSuccessMs);
    return this.lastSuccessDate;
  }

  get tick(): Date {
    return (this.tickDate ??= new Date(this.tickMs));
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      // Every request of the run listens to its signal until it ends (got removes its listener): a
      // run making twelve requests at once is no leak, and the signal lives only as long as the run.
      setMaxListeners(0, this.controller.signal);
      if (this.abortReason !== undefined) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  /** The source's client bound to this run's signal (made when the plugin first reads it). */
  get http(): Got {
    return (this.ownHttp ??= this.runner.http.extend({ signal: this.signal }));
  }

  /** The run's outcome (`run()` and `stop` await it; a run of the schedule needs no promise). */
  outcome(): Promise<RunOutcome> {
    if (this.result) return Promise.resolve(this.result);
    if (!this.waiter) {
      let resolve!: (outcome: RunOutcome) => void;
      const promise = new Promise<RunOutcome>((r) => (resolve = r));
      this.waiter = { promise, resolve };
    }
    return this.waiter.promise;
  }

  /** The run ended with `outcome`. */
  done(outcome: RunOutcome): void {
    clearTimeout(this.timer);
    this.result = outcome;
    this.waiter?.resolve(outcome);
  }

  /** The run's time is up, or the host shuts down: the signal aborts and the run fails now. */
  abort(reason: unknown): void {
    if (this.ended) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
    this.runner.runEnded(this, reason, false);
  }
}

/** Time a source's `dispose()` gets when it stops: a plugin's must not hold up a shutdown or a reload. */
export const DISPOSE_LIMIT_MS = 2000;

/** Whether `work` settled within `ms` (it is not cancelled: it is only no longer waited for). Rejects as `work` does. */
export async function settlesWithin(work: unknown, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, ms, false)));
  try {
    return await Promise.race([Promise.resolve(work).then(() => true), limit]);
  } finally {
    clearTimeout(timer);
  }
}
