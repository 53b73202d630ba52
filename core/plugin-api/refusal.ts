/**
 * Refusals an upstream explains in its answer's body, for plugins whose upstream says more than
 * the host's error mapping can know: a 400 naming the parameter it refuses, a 429 whose reason
 * names the limit's window, an error body sent with status 200. Everything else is left to the
 * host, which maps every HTTP failure to a typed error (and reads JSON `message`, `error`,
 * `detail`, `msg` or `reason` from its body).
 */
import type { Got } from 'got';
import { ConfigError, RateLimitError, UpstreamError } from './errors.js';

/** How an upstream explains its refusals; see {@link refusalError} and {@link getExplainedJson}. */
export interface RefusalStyle {
  /** The API's name in messages: the plugin's title, so that its messages and the host's agree. */
  title: string;
  /** The upstream's reason in a body (text, Buffer or parsed JSON); undefined when it explains nothing. */
  reasonOf(body: unknown): string | undefined;
  /** What a 429 means, before `: <reason>`. Default: `<title> answered 429 for GET /<path>`. */
  limitMessage?: string;
}

/**
 * The reason of an answer that flags itself as an error, `{"error": true, "reason": "…"}` (the
 * style of Open-Meteo and ipapi), from a body as text, a Buffer or parsed JSON, with its white
 * space folded; `no reason given` when the reason is missing or empty. Undefined when the body is
 * not such an answer (not JSON, or no `error: true`). Never throws.
 */
export function flaggedErrorReason(body: unknown): string | undefined {
  let value = body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    try {
      value = JSON.parse(body.toString()) as unknown;
    } catch {
      return undefined;
    }
  }
  const o = value as { error?: unknown; reason?: unknown } | null;
  if (!o || typeof o !== 'object' || o.error !== true) return undefined;
  return typeof o.reason === 'string' && o.reason.trim() ? o.reason.replace(/\s+/g, ' ').trim() : 'no reason given';
}

/**
 * How long until the limit a rate-limit message names resets: the next minute, hour or day (UTC)
 * for a message saying `minutely`, `hourly` or `daily` ("Hourly API request limit exceeded").
 * Undefined when it names none of them.
 */
export function limitResetMs(message: string, now = Date.now()): number | undefined {
  const next = (unit: number) => Math.floor(now / unit) * unit + unit - now;
  if (/minutely/i.test(message)) return next(60_000);
  if (/hourly/i.test(message)) return next(3_600_000);
  if (/daily/i.test(message)) return next(86_400_000);
  return undefined;
}

type ErrorResponse = { statusCode?: unknown; body?: unknown; headers?: Record<string, unknown> };

/**
 * The typed error of a failed `ctx.http` request to `path` whose body explains it in `style`: a
 * 400 is a ConfigError (`<title> refused the request for GET /<path>: <reason>`), a 429 a
 * RateLimitError that waits for Retry-After (seconds) or else for the window the reason names
 * ({@link limitResetMs}). Undefined for any other failure, which the host maps; never throws.
 */
export function refusalError(err: unknown, style: RefusalStyle, path: string, now = Date.now()): Error | undefined {
  const response = (err as { response?: ErrorResponse } | null)?.response;
  if (!response || typeof response.statusCode !== 'number') return undefined;
  const reason = style.reasonOf(response.body);
  if (reason === undefined) return undefined;
  const status = response.statusCode;
  // ConfigError keeps httpStatus too: HomeiqError reads it from these options.
  const options = { httpStatus: status, cause: err };
  if (status === 400) return new ConfigError(`${style.title} refused the request for GET /${path}: ${reason}`, options);
  if (status !== 429) return undefined;
  const header = response.headers?.['retry-after'];
  const seconds = typeof header === 'string' && /^\d+$/.test(header.trim()) ? Number(header.trim()) * 1000 : undefined;
  const message = `${style.limitMessage ?? `${style.title} answered 429 for GET /${path}`}: ${reason}`;
  return new RateLimitError(message, { retryAfterMs: seconds ?? limitResetMs(reason, now), ...options });
}

/**
 * GETs `path` through `ctx.http` and returns its JSON body. A failure the body explains becomes
 * {@link refusalError}'s typed error, any other is rethrown as the host mapped it; an answer with
 * status 200 that still explains a refusal is a non-retryable UpstreamError
 * (`<title> answered an error for GET /<path>: <reason>`).
 */
export async function getExplainedJson(http: Got, path: string, searchParams: Record<string, string | number>, style: RefusalStyle): Promise<unknown> {
  let body: unknown;
  try {
    body = await http.get(path, { searchParams }).json<unknown>();
  } catch (err) {
    throw refusalError(err, style, path) ?? err;
  }
  const refused = style.reasonOf(body);
  if (refused !== undefined) throw new UpstreamError(`${style.title} answered an error for GET /${path}: ${refused}`, { retryable: false });
  return body;
}
