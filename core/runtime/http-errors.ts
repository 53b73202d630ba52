import { RequestError, HTTPError, ParseError, TimeoutError as GotTimeoutError } from 'got';
import {
  AccessDeniedError,
  CredentialsError,
  DataError,
  HomeiqError,
  RateLimitError,
  TimeoutError,
  UpstreamError,
  errorKind,
} from '../plugin-api/errors.js';

export interface MapContext {
  /** The plugin's title, the subject of every message ("WattTime answered …"). */
  title: string;
  /** True when a 401 means the static key was refused (api_key); false when a token was re-obtained. */
  keyCredentials: boolean;
}

/**
 * The one place where HTTP-client errors become typed errors. Messages name the upstream, the
 * method and the path, never the query string (it may hold a key) nor the host.
 */
export function toTypedError(err: unknown, ctx: MapContext): Error {
  if (err instanceof HomeiqError || errorKind(err)) return err as Error;
  // got wraps what a hook throws (a login inside beforeRequest): the typed error is the cause.
  const inner = (err as { cause?: unknown } | null)?.cause;
  if (err instanceof RequestError && !(err instanceof HTTPError) && inner && (inner instanceof HomeiqError || errorKind(inner))) {
    return inner as Error;
  }
  if (!(err instanceof RequestError)) return err instanceof Error ? err : new Error(String(err));
  const where = describeRequest(err);
  if (err instanceof HTTPError) return fromResponse(err, ctx, where);
  if (err instanceof ParseError) {
    return new DataError(`${ctx.title} sent a body that is not valid JSON for ${where}`, { cause: err });
  }
  // With the headers in, the upstream was reached: say how far its answer got.
  const arrived = err.response ? bytesArrived(err) : undefined;
  if (err instanceof GotTimeoutError) {
    const message = arrived
      ? `${ctx.title} sent its answer to ${where} too slowly: ${arrived} arrived within the time limit (option timeout)`
      : `${ctx.title} did not answer in time for ${where}`;
    return new UpstreamError(message, { retryable: true, cause: err });
  }
  if (err.name === 'AbortError' || err.code === 'ERR_ABORTED') {
    return new TimeoutError(`the run was aborted during ${where}`, { cause: err });
  }
  // Connection refused, reset, DNS: all worth another try later.
  const code = err.code ?? 'network error';
  if (arrived) {
    return new UpstreamError(`${ctx.title} closed the connection in the middle of its answer to ${where} (${code} after ${arrived})`, { retryable: true, cause: err });
  }
  return new UpstreamError(`could not reach ${ctx.title} for ${where} (${code})`, { retryable: true, cause: err });
}

function fromResponse(err: HTTPError, ctx: MapContext, where: string): Error {
  const status = err.response.statusCode;
  const said = upstreamMessage(err.response.body);
  const answer = `${status} ${err.response.statusMessage ?? ''}`.trimEnd() + ` for ${where}${said ? `: ${said}` : ''}`;
  const message = `${ctx.title} answered ${answer}`;
  const options = { httpStatus: status, cause: err };
  if (status === 401) {
    return ctx.keyCredentials
      ? new CredentialsError(`${ctx.title} refused the credentials: ${answer}`, options)
      : new UpstreamError(`${message} (again after a fresh login)`, { retryable: false, ...options });
  }
  if (status === 403) return new AccessDeniedError(message, options);
  if (status === 429) {
    return new RateLimitError(message, { retryAfterMs: parseRetryAfter(err.response.headers['retry-after']), ...options });
  }
  return new UpstreamError(message, { retryable: status >= 500 || status === 408, ...options });
}

/** How much of the body came before the failure: `137 of 274 bytes`, or `137 bytes` without a length. */
function bytesArrived(err: RequestError): string {
  const { transferred, total } = err.request?.downloadProgress ?? { transferred: 0 };
  return total ? `${transferred} of ${total} bytes` : `${transferred} bytes`;
}

function describeRequest(err: RequestError): string {
  const method = err.options?.method ?? 'GET';
  const url = err.options?.url;
  let path = '';
  try {
    path = url ? new URL(String(url)).pathname : '';
  } catch {
    path = '';
  }
  return `${method} ${path || '/'}`;
}

/** A single-line message from an error body: JSON `message`/`error`/`detail`/`reason`, or plain text. */
export function upstreamMessage(body: unknown): string | undefined {
  let text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : undefined;
  let value: unknown = body;
  if (text !== undefined) {
    try {
      value = JSON.parse(text);
    } catch {
      // Not JSON: an HTML error page says little beyond its title.
      const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1];
      text = title ?? (/<[a-z!]/i.test(text) ? undefined : text);
      return text ? oneLine(text) : undefined;
    }
  }
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const key of ['message', 'error_description', 'error', 'detail', 'msg', 'reason']) {
      const v = o[key];
      if (typeof v === 'string' && v) return oneLine(v);
      if (v && typeof v === 'object' && typeof (v as { message?: unknown }).message === 'string') {
        return oneLine((v as { message: string }).message);
      }
    }
  }
  return undefined;
}

/** Not cut here: a cut before redaction would leave a secret's prefix; health and logs bound it after (Redactor.brief). */
function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds from now. */
export function parseRetryAfter(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
