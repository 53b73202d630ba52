import type { Got } from 'got';
import type { Logger } from 'pino';
import type { RunContext } from '../plugin-api/data-source.js';
import { errors as errorClasses, TimeoutError } from '../plugin-api/errors.js';
import type { SourcePoint } from '../plugin-api/point.js';

export interface RunOutcome {
  ok: boolean;
  points: SourcePoint[];
  error?: Error;
}

/** What a run needs of its source's runner (SourceRunner). */
export interface RunOwner {
  readonly id: string;
  readonly logger: Logger;
  /** The source's got instance bound to `signal` (the run in progress). */
  httpFor(signal: AbortSignal): Got;
  /** A got instance of the source's bound to `signal`, for a run that has ended. */
  httpOfEnded(signal: AbortSignal): Got;
  /** The run's outcome: the plugin's answer (`ok`), its error, or the abort's reason. */
  settleRun(run: Run, value: unknown, ok: boolean): void;
}

/**
 * The context of one run (RunContext). Built for every run, so it is cheap: `signal` (an
 * AbortController) and `http` (the source's got instance, made on first use) cost nothing for a
 * plugin that does not read them. They are getters: a plugin that copies the context (`{...ctx}`)
 * loses them; pass `ctx` itself on.
 */
export class Run implements RunContext {
  readonly errors = errorClasses;
  /** Set once the outcome is decided (the plugin answered, or the run was aborted first). */
  ended = false;
  /** The runner plans its next run when this one ends (a run of the schedule, or one it joined). */
  scheduled: boolean;
  /** The outcome, once the run ended. */
  private result: RunOutcome | null = null;
  /** The promise `outcome()` handed out, and what settles it: made only when someone awaits the run. */
  private waiter: { promise: Promise<RunOutcome>; resolve: (outcome: RunOutcome) => void } | null = null;
  /** Where the deadline is kept (see Deadlines). */
  deadlines: Deadlines | null = null;
  slot = 0;
  private lastSuccessDate: Date | null | undefined = undefined;
  private controller: AbortController | null = null;
  private abortReason: unknown = undefined;
  private ownHttp: Got | null = null;

  constructor(
    private readonly runner: RunOwner,
    readonly options: Record<string, unknown>,
    readonly credentials: Readonly<Record<string, string>>,
    private readonly lastSuccessMs: number | null,
    readonly started: number,
    scheduled: boolean,
  ) {
    this.scheduled = scheduled;
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
    this.result = outcome;
    this.waiter?.resolve(outcome);
  }

  get lastSuccess(): Date | null {
    if (this.lastSuccessDate === undefined) this.lastSuccessDate = this.lastSuccessMs === null ? null : new Date(this.lastSuccessMs);
    return this.lastSuccessDate;
  }

  get sourceId(): string {
    return this.runner.id;
  }

  get logger(): Logger {
    return this.runner.logger;
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortReason !== undefined) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  get http(): Got {
    // A run that already ended (abandoned at its timeout, its code still going) gets a client of
    // its own, bound to its own signal: rebinding the source's shared client to it would abort the
    // requests of the run in progress.
    if (this.ended) return (this.ownHttp ??= this.runner.httpOfEnded(this.signal));
    return this.runner.httpFor(this.signal);
  }

  /** The run's time is up, or the host shuts down: the signal aborts and the run fails now. */
  abort(reason: unknown): void {
    if (this.ended) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
    this.runner.settleRun(this, reason, false);
  }
}

/**
 * The deadlines of runs in flight, one queue per timeout length (`timeout` option): runs join in
 * start order, which for one length is deadline order, and one timer waits for the earliest. A
 * run joining costs two array pushes; one that ends clears its slot. Measured against one
 * setTimeout per run (a Timeout object and an arguments array, about 1 µs and 200 bytes that stay
 * live while 10,000 runs are in flight and make every young-generation GC copy them).
 * The timer keeps the process up while a run is in flight (as a per-run timer did), not after.
 */
export class Deadlines {
  private static readonly byLength = new Map<number, Deadlines>();
  private runs: (Run | null)[] = [];
  private dues: number[] = [];
  private head = 0;
  private live = 0;
  private timer: NodeJS.Timeout | null = null;

  private constructor(private readonly ms: number) {}

  static of(ms: number): Deadlines {
    let d = Deadlines.byLength.get(ms);
    if (!d) Deadlines.byLength.set(ms, (d = new Deadlines(ms)));
    return d;
  }

  add(run: Run): void {
    const due = performance.now() + this.ms;
    run.deadlines = this;
    run.slot = this.runs.length;
    this.runs.push(run);
    this.dues.push(due);
    this.live += 1;
    if (!this.timer) this.arm(due);
    else if (this.live === 1) this.timer.ref();
  }

  remove(run: Run): void {
    if (run.deadlines !== this) return;
    run.deadlines = null;
    this.runs[run.slot] = null;
    this.live -= 1;
    if (this.live === 0) this.timer?.unref();
  }

  private arm(due: number): void {
    this.timer = setTimeout(() => this.fire(), Math.max(0, due - performance.now()));
    if (this.live === 0) this.timer.unref();
  }

  private fire(): void {
    this.timer = null;
    const now = performance.now();
    const expired: Run[] = [];
    for (; this.head < this.runs.length && this.dues[this.head]! <= now; this.head++) {
      const run = this.runs[this.head];
      if (!run) continue;
      this.runs[this.head] = null;
      run.deadlines = null;
      this.live -= 1;
      expired.push(run);
    }
    while (this.head < this.runs.length && this.runs[this.head] === null) this.head++;
    if (this.head === this.runs.length) {
      this.runs = [];
      this.dues = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.runs.length) {
      this.runs = this.runs.slice(this.head);
      this.dues = this.dues.slice(this.head);
      this.head = 0;
      this.runs.forEach((run, i) => {
        if (run) run.slot = i;
      });
    }
    if (this.head < this.runs.length) this.arm(this.dues[this.head]!);
    for (const run of expired) run.abort(new TimeoutError(`the run did not finish within ${this.ms / 1000}s (the source's timeout option)`));
  }
}
