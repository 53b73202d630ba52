import { RateLimitError } from '../../core/plugin-api/index.js';

/**
 * Client-side pacing of one WattTime account. WattTime allows 3,000 requests and 100 logins per
 * user in any 5 minutes (a rolling window) and answers 429 beyond that. The limits belong to the
 * account, not to a source, so every source of one username in this process shares one pair of
 * pacers ({@link pacersFor}).
 */

/** Requests and logins allowed per window: a margin under WattTime's 3,000 and 100 for the
 * host's own retries and re-logins, which do not pass through the pacer. */
export const REQUEST_LIMIT = 2_900;
export const LOGIN_LIMIT = 90;
export const LIMIT_WINDOW_MS = 300_000;
/** The longest a call waits for a free slot; beyond that the run ends as rate limited. */
export const MAX_WAIT_MS = 10_000;

/** A rolling-window limiter: `take` waits for a slot or refuses with a {@link RateLimitError}. */
export class RequestPacer {
  private readonly sent: number[] = [];

  /**
   * @param limit slots per window
   * @param what the slots in words, for the message: `requests`
   * @param allowed WattTime's own limit per window, for the message
   */
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly what: string,
    private readonly allowed: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Slots used in the current window. */
  get used(): number {
    this.forget(this.now());
    return this.sent.length;
  }

  /**
   * Takes a slot, waiting up to `maxWaitMs` for one; throws a {@link RateLimitError} whose
   * `retryAfterMs` says when one frees up when that is later. Honours `signal`.
   */
  async take(signal?: AbortSignal, maxWaitMs = MAX_WAIT_MS): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.now();
      this.forget(now);
      if (this.sent.length < this.limit) {
        this.sent.push(now);
        return;
      }
      const waitMs = this.sent[0]! + this.windowMs - now;
      if (waitMs > maxWaitMs) {
        const minutes = this.windowMs / 60_000;
        const message = `this host sent ${this.limit} ${this.what} to WattTime in the last ${minutes} minutes (WattTime allows ${this.allowed} per account); waiting until one frees up`;
        throw new RateLimitError(message, { retryAfterMs: waitMs });
      }
      await sleep(waitMs, signal);
    }
  }

  private forget(now: number): void {
    while (this.sent.length > 0 && now - this.sent[0]! >= this.windowMs) this.sent.shift();
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener('abort', abort);
      resolve();
    }
    function abort(): void {
      clearTimeout(timer);
      reject(signal!.reason);
    }
    signal?.addEventListener('abort', abort, { once: true });
  });
}

/** The pacers of one account. */
export interface AccountPacers {
  requests: RequestPacer;
  logins: RequestPacer;
}

const accounts = new Map<string, AccountPacers>();

/** The shared pacers of `username` (created on first use). */
export function pacersFor(username: string): AccountPacers {
  let pacers = accounts.get(username);
  if (!pacers) {
    pacers = {
      requests: new RequestPacer(REQUEST_LIMIT, LIMIT_WINDOW_MS, 'requests', 3000),
      logins: new RequestPacer(LOGIN_LIMIT, LIMIT_WINDOW_MS, 'logins', 100),
    };
    accounts.set(username, pacers);
  }
  return pacers;
}
