import got, { TimeoutError, type BeforeRequestHook, type Got } from 'got';
import type { CredentialsSpec } from '../plugin-api/plugin.js';
import type { TokenManager } from './token-manager.js';

export const USER_AGENT = 'homeiq-sources/0.1.0 (+https://github.com/homeiq/homeiq-sources)';

/** Statuses retried within a run; 429 is not among them: the source waits for Retry-After instead. */
const RETRY_STATUSES = [408, 500, 502, 503, 504, 521, 522, 524];

export interface SourceHttpOptions {
  baseUrl?: string;
  /** HTTP retries within one run for transient failures. */
  retries: number;
  /** The run's time limit (ms): each request gets a little less (requestLimitMs), the run aborts through the signal. */
  timeoutMs: number;
  /** Static key credentials, applied to every request. */
  apiKey?: { send: Extract<CredentialsSpec, { style: 'api_key' }>['send']; value: string };
  /** Bearer tokens from a token manager, with one re-login and one retry on a 401. */
  tokens?: TokenManager;
  /** Backoff base (ms) for retries; tests shorten it. */
  backoffBaseMs?: number;
}

/**
 * The `got` instance a plugin receives: base URL, credentials, bounded retries with exponential
 * backoff and jitter. Errors stay got's own; runtime/http-errors.ts maps them in one place.
 */
export function createSourceHttp(o: SourceHttpOptions): Got {
  const base = o.backoffBaseMs ?? 500;
  const { apiKey, tokens } = o;
  return got.extend({
    ...(o.baseUrl ? { prefixUrl: o.baseUrl } : {}),
    headers: { 'user-agent': USER_AGENT },
    timeout: { request: requestLimitMs(o.timeoutMs) },
    retry: {
      limit: o.retries,
      statusCodes: RETRY_STATUSES,
      calculateDelay: ({ attemptCount, computedValue, error }) => {
        // A request that used up its whole limit used up the run's too: a retry could not finish.
        if (computedValue === 0 || (error instanceof TimeoutError && error.event === 'request')) return 0;
        return Math.min(30_000, base * 2 ** (attemptCount - 1)) * (0.5 + Math.random() / 2);
      },
    },
    hooks: {
      beforeRequest: [
        async (options) => {
          if (apiKey) applyKey(options, apiKey.send, apiKey.value);
          if (tokens) options.headers.authorization = `Bearer ${await tokens.token()}`;
        },
      ],
      afterResponse: [
        async (response, retryWithMergedOptions) => {
          const context = response.request.options.context as { reauthenticated?: boolean };
          if (!tokens || response.statusCode !== 401 || context.reauthenticated) return response;
          const used = String(response.request.options.headers.authorization ?? '').replace(/^Bearer /, '');
          const fresh = await tokens.rejected(used);
          return retryWithMergedOptions({
            headers: { authorization: `Bearer ${fresh}` },
            context: { reauthenticated: true },
          });
        },
      ],
    },
  });
}

/**
 * A request's limit ends before the run's (`timeout`): a request that is too slow then fails in
 * its own words (which upstream, which request, how much of the answer came: http-errors.ts)
 * instead of the run being cut short with no reason given. The margin covers a request that
 * starts a little after its run (59 s of 60 s, 0.75 s of 1 s).
 */
export function requestLimitMs(runTimeoutMs: number): number {
  return Math.max(1, runTimeoutMs - Math.min(1000, runTimeoutMs / 4));
}

type RequestOptions = Parameters<BeforeRequestHook>[0];

function applyKey(options: RequestOptions, send: { in: 'query' | 'header'; name: string; prefix?: string }, value: string): void {
  if (send.in === 'header') {
    options.headers[send.name.toLowerCase()] = `${send.prefix ?? ''}${value}`;
    return;
  }
  const url = options.url;
  if (url instanceof URL) url.searchParams.set(send.name, value);
  else {
    const params = new URLSearchParams((options.searchParams as URLSearchParams | undefined) ?? undefined);
    params.set(send.name, value);
    options.searchParams = params;
  }
}
