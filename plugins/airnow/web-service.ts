import {
  CredentialsError,
  DataError,
  RateLimitError,
  UpstreamError,
  type RunContext,
} from '../../core/plugin-api/index.js';
import { placeParams, type AirNowOptions } from './options.js';

/** The 2026 web services; the zip-code and lat/long endpoints before them were retired on 2026-09-30. */
export const OBSERVATIONS_PATH = 'aq/observation/current/ziplatlong/';
export const FORECAST_PATH = 'aq/forecast/current/';

/**
 * Reads one AirNow web service and returns its records. AirNow reports its own errors as
 * `{"WebServiceError":[{"Message":"…"}]}`, with a 200 or an error status alike, so both are read
 * here; plain HTTP failures without that envelope are left to the host's mapping.
 */
export async function readRecords(ctx: RunContext<AirNowOptions>, path: string, what: string): Promise<unknown[]> {
  let text: string;
  try {
    text = await ctx.http.get(path, { searchParams: { format: 'application/json', ...placeParams(ctx.options) } }).text();
  } catch (err) {
    const answer = failedAnswer(err);
    const said = answer ? webServiceMessage(parseJson(answer.body)) : undefined;
    if (answer && said !== undefined) throw serviceError(said, what, { status: answer.status, retryAfter: answer.retryAfter, cause: err });
    throw err;
  }
  if (/^\s*</.test(text)) {
    const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
    throw new UpstreamError(`AirNow answered an HTML page instead of JSON for ${what}${title ? ` (${title})` : ''}`, { retryable: true });
  }
  const body = parseJson(text);
  if (body === NOT_JSON) throw new DataError(`${what}: the answer is not JSON (it starts with ${JSON.stringify(text.trim().slice(0, 40))})`);
  if (Array.isArray(body)) return body;
  const said = webServiceMessage(body);
  if (said !== undefined) throw serviceError(said, what, {});
  throw new DataError(`${what}: expected a JSON array of records, got ${body === null ? 'null' : typeof body}`);
}

const NOT_JSON = Symbol('not JSON');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NOT_JSON;
  }
}

/**
 * The message of a `WebServiceError` envelope: a list of `{Message}` objects, a list of strings or
 * one string (all three have been seen). Undefined when the body is no such envelope.
 */
export function webServiceMessage(body: unknown): string | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const envelope = (body as Record<string, unknown>).WebServiceError;
  if (envelope === undefined) return undefined;
  const items = Array.isArray(envelope) ? envelope : [envelope];
  // Only text is a message: an object here would read "[object Object]" (or throw, given a `toString` key).
  const messages = items.map((item) => {
    const message = typeof item === 'string' ? item : (item as { Message?: unknown } | null)?.Message;
    return typeof message === 'string' ? message : '';
  });
  return messages.filter(Boolean).join('; ').replace(/\s+/g, ' ').trim() || 'unspecified error';
}

interface AnswerFacts {
  status?: number;
  retryAfter?: string;
  cause?: unknown;
}

/** AirNow's own error texts, as typed errors. */
export function serviceError(said: string, what: string, facts: AnswerFacts, now = Date.now()): Error {
  const options = { httpStatus: facts.status, cause: facts.cause };
  if (/invalid api key|request not authenticated/i.test(said)) {
    return new CredentialsError(`AirNow refused the API key (${said})`, options);
  }
  if (/request limit exceeded/i.test(said)) {
    const retryAfterMs = retryAfterHeader(facts.retryAfter) ?? untilNextHour(now);
    const at = new Date(now + retryAfterMs).toISOString();
    return new RateLimitError(`AirNow's hourly request limit for this key is used up (${said}); it answers again at ${at}`, {
      retryAfterMs,
      ...options,
    });
  }
  return new UpstreamError(`AirNow answered an error for ${what}: ${said}`, { retryable: false, ...options });
}

/**
 * AirNow stops answering a key "until the next hour" once its hourly limit is met; one minute past
 * the hour leaves room for clocks that disagree a little.
 */
export function untilNextHour(now: number): number {
  const hour = 3_600_000;
  return Math.floor(now / hour) * hour + hour + 60_000 - now;
}

function retryAfterHeader(value: string | undefined): number | undefined {
  return value && /^\d+$/.test(value.trim()) ? Number(value.trim()) * 1000 : undefined;
}

/** Status, body and Retry-After of a failed HTTP answer (got's HTTPError), read without importing got. */
function failedAnswer(err: unknown): { status: number; body: string; retryAfter?: string } | undefined {
  const response = (err as { response?: { statusCode?: unknown; body?: unknown; headers?: Record<string, unknown> } } | null)?.response;
  if (!response || typeof response.statusCode !== 'number') return undefined;
  const raw = response.body;
  const body = typeof raw === 'string' ? raw : Buffer.isBuffer(raw) ? raw.toString('utf8') : '';
  const header = response.headers?.['retry-after'];
  return { status: response.statusCode, body, retryAfter: typeof header === 'string' ? header : undefined };
}
