import { ConfigError, RateLimitError, UpstreamError } from '../../core/plugin-api/index.js';

/**
 * Open-Meteo's own error answers, `{"error":true,"reason":"…"}`: a 400 for a parameter it does not
 * take, a 429 once the free per-IP limits (per minute, hour, day) are used up, without Retry-After.
 * Returns undefined for any other failure, which the host maps. `title` names the API in messages.
 */
export function openMeteoError(err: unknown, title: string, path: string, now = Date.now()): Error | undefined {
  const response = (err as { response?: { statusCode?: unknown; body?: unknown; headers?: Record<string, unknown> } } | null)?.response;
  if (!response || typeof response.statusCode !== 'number') return undefined;
  const reason = reasonOf(response.body);
  if (reason === undefined) return undefined;
  const status = response.statusCode;
  const options = { httpStatus: status, cause: err };
  if (status === 429) {
    const header = response.headers?.['retry-after'];
    const seconds = typeof header === 'string' && /^\d+$/.test(header.trim()) ? Number(header.trim()) * 1000 : undefined;
    return new RateLimitError(`Open-Meteo's free request limit is used up: ${reason}`, { retryAfterMs: seconds ?? retryAfterFromReason(reason, now), ...options });
  }
  if (status === 400) return new ConfigError(`${title} refused the request for GET /${path}: ${reason}`, options);
  return new UpstreamError(`${title} answered ${status} for GET /${path}: ${reason}`, { retryable: status >= 500, ...options });
}

/** The `reason` of an `{"error":true}` body, or undefined when the body is not one. */
export function reasonOf(body: unknown): string | undefined {
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

/** The limit's own words say when it resets: the next minute, the next hour, or tomorrow (UTC). */
function retryAfterFromReason(reason: string, now: number): number | undefined {
  const next = (unit: number) => Math.floor(now / unit) * unit + unit - now;
  if (/minutely/i.test(reason)) return next(60_000);
  if (/hourly/i.test(reason)) return next(3_600_000);
  if (/daily/i.test(reason)) return next(86_400_000);
  return undefined;
}
