import { RateLimitError } from '../../core/plugin-api/index.js';

const DAY_MS = 86_400_000;

/**
 * aWATTar's fair-use rule is about 100 requests a day per address. The budget counts this source's
 * requests over the last 24 hours and refuses one more before it is sent, whatever the schedule a
 * user sets, so the address never gets blocked. Failed requests count too: they reached aWATTar.
 */
export class RequestBudget {
  private readonly sent: number[] = [];

  constructor(private readonly perDay: number) {}

  /**
   * Records a request about to be sent at `now`.
   * @throws RateLimitError, with the wait until the oldest request leaves the 24-hour window.
   */
  take(now: number): void {
    while (this.sent.length > 0 && this.sent[0]! <= now - DAY_MS) this.sent.shift();
    if (this.sent.length >= this.perDay) {
      const wait = this.sent[0]! + DAY_MS - now;
      throw new RateLimitError(
        `aWATTar allows about 100 requests a day; this source sent ${this.sent.length} in the last 24 hours (max_requests_per_day) and waits ${Math.ceil(wait / 60_000)} minutes`,
        { retryAfterMs: wait },
      );
    }
    this.sent.push(now);
  }
}
