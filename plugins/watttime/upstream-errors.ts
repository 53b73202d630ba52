import { AccessDeniedError, ConfigError, CredentialsError, RateLimitError, UpstreamError } from '../../core/plugin-api/index.js';
import { planMessage, type WattTimeCall } from './access.js';

/**
 * What WattTime's error answers mean for a source, where the host's generic mapping would say too
 * little or the wrong thing: a 403 at `/login` is a refused password (not an access problem), a
 * JSON "Invalid scope" 403 is the plan, an HTML 403 comes from a gateway, and a region-from-loc
 * 404 is a location WattTime does not cover. Everything else is left to the host's mapping.
 */

/** The call that failed, with what the message should name. */
export interface FailedCall {
  call: WattTimeCall | 'login';
  region?: string;
  signalType?: string;
  latitude?: number | string;
  longitude?: number | string;
}

/** An HTTP answer: `body` as text, bytes or parsed JSON; header names in lower case. */
export interface FailedAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string | string[] | undefined>;
}

const TITLE = 'WattTime';

/** The body as a JSON object, or undefined when it is not one (HTML, plain text, empty). */
function jsonBody(body: unknown): Record<string, unknown> | undefined {
  let value = body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    try {
      value = JSON.parse(body.toString());
    } catch {
      return undefined;
    }
  }
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** What a JSON error body says (`message`, `error` or `msg`), on one line; empty for anything else. */
export function upstreamText(body: unknown): string {
  return said(jsonBody(body));
}

function said(json: Record<string, unknown> | undefined): string {
  const text = [json?.message, json?.error, json?.msg].find((v): v is string => typeof v === 'string' && v !== '');
  return text ? text.replace(/\s+/g, ' ').trim().slice(0, 300) : '';
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds from `now`. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function loginFailure(answer: FailedAnswer, cause: unknown): Error | undefined {
  const options = { httpStatus: answer.status, cause };
  if (answer.status === 401 || answer.status === 403) {
    return new CredentialsError(`${TITLE} refused the username or password (HTTP ${answer.status} at /login)`, options);
  }
  if (answer.status === 429) {
    const wait = retryAfterMs(answer.headers?.['retry-after']);
    const message = `${TITLE} refused the login: too many logins (it allows 100 per 5 minutes)`;
    return new RateLimitError(message, { ...options, ...(wait === undefined ? {} : { retryAfterMs: wait }) });
  }
  return undefined;
}

function forbidden(call: FailedCall, answer: FailedAnswer, cause: unknown): Error {
  const options = { httpStatus: 403, cause };
  const json = jsonBody(answer.body);
  if (!json) {
    // nginx or CloudFront answered, not the API: not a verdict on the account, so try again later.
    const message = `${TITLE} answered 403 with a gateway page instead of the API for ${call.call}; will try again`;
    return new UpstreamError(message, { retryable: true, ...options });
  }
  const text = said(json);
  if (/invalid scope/i.test(`${String(json.error)} ${String(json.message)}`) && call.call !== 'login') {
    return new AccessDeniedError(planMessage(call.call, call.region, call.signalType), options);
  }
  return new AccessDeniedError(`${TITLE} refused ${call.call}${call.region ? ` for ${call.region}` : ''}${text ? `: ${text}` : ''}`, options);
}

/**
 * The typed error for a failed WattTime answer, or undefined when the host's own mapping of the
 * HTTP status already says it right (401 re-login, 429 Retry-After, 5xx retries).
 */
export function classifyFailure(call: FailedCall, answer: FailedAnswer, cause?: unknown): Error | undefined {
  if (call.call === 'login') return loginFailure(answer, cause);
  if (answer.status === 403) return forbidden(call, answer, cause);
  if (answer.status === 404 && call.call === 'region-from-loc') {
    const signal = call.signalType ? `${call.signalType} ` : '';
    const at = `latitude ${String(call.latitude ?? '?')}, longitude ${String(call.longitude ?? '?')}`;
    return new ConfigError(`${TITLE} has no ${signal}coverage at ${at}; set options.region instead`, { cause });
  }
  return undefined;
}

/**
 * For a `catch` around `ctx.http`: turns a got HTTP error (anything with `response.statusCode`)
 * into the typed error {@link classifyFailure} gives, keeping the original as `cause`; returns
 * any other error unchanged so the host maps it.
 */
export function refineHttpError(err: unknown, call: FailedCall): unknown {
  const response = (err as { response?: { statusCode?: unknown; body?: unknown; headers?: unknown } } | null)?.response;
  if (!response || typeof response.statusCode !== 'number') return err;
  const headers = (response.headers ?? {}) as FailedAnswer['headers'];
  return classifyFailure(call, { status: response.statusCode, body: response.body, ...(headers ? { headers } : {}) }, err) ?? err;
}
