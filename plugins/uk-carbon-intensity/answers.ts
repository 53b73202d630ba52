import { ConfigError, errorKind, UpstreamError, type RunContext } from '../../core/plugin-api/index.js';

/**
 * GETs of the NESO API through the host's `ctx.http`, with NESO's refusals said in plain words: a
 * 400 names the region or postcode refused, a 404 says the endpoint is gone (the API changed).
 * Other failures (429, 5xx, no connection) are left to the host's mapping.
 */

export const TITLE = 'NESO Carbon Intensity';

type ErrorResponse = { statusCode?: unknown; statusMessage?: unknown; body?: unknown };

function responseOf(err: unknown): ErrorResponse | undefined {
  const response = (err as { response?: ErrorResponse } | null)?.response;
  return response && typeof response.statusCode === 'number' ? response : undefined;
}

/** NESO's error body, `{"error":{"code":"400 Bad Request","message":"…"}}`, as one line. */
function saidIn(body: unknown): string {
  try {
    const o = (typeof body === 'string' || Buffer.isBuffer(body) ? JSON.parse(body.toString()) : body) as { error?: { message?: unknown } | unknown };
    const error = o?.error;
    const message = typeof error === 'string' ? error : (error as { message?: unknown } | undefined)?.message;
    return typeof message === 'string' ? message.replace(/\s+/g, ' ').trim() : '';
  } catch {
    return '';
  }
}

/** The typed error of a 400 or 404 answer to GET /`path`; undefined for the others. */
export function refusal(err: unknown, path: string, about: string | undefined): Error | undefined {
  const response = responseOf(err);
  const status = response?.statusCode;
  if (status !== 400 && status !== 404) return undefined;
  const said = saidIn(response!.body);
  const answer = `${status}${said ? `: ${said}` : ''}`;
  const options = { httpStatus: status, cause: err };
  if (status === 400 && about) return new ConfigError(`${TITLE} refused ${about} (${answer}); check the option`, options);
  const changed = `${TITLE} has no GET /${path.replace(/\/\d{4}-[^/]*Z\//, '/{from}/')} any more (${answer}): the API has changed; a newer HomeIQ may read it`;
  return new UpstreamError(changed, { retryable: false, ...options });
}

/** GET /`path` as JSON; `about` names what a 400 refuses (`postcode RG41`). */
export async function getJson<O>(ctx: RunContext<O>, path: string, about?: string): Promise<unknown> {
  try {
    return await ctx.http.get(path).json<unknown>();
  } catch (err) {
    throw refusal(err, path, about) ?? err;
  }
}

/**
 * The error to record when one part of a run (the current period, the mix) failed while the
 * forecast came; undefined when the failure concerns every request (a rate limit, the run's time
 * limit, no connection) and must end the run.
 */
export function partFailure(err: unknown, part: string): Error | undefined {
  const kind = errorKind(err);
  if (kind === 'upstream' || kind === 'data' || kind === 'config') return err as Error;
  const response = responseOf(err);
  const status = response?.statusCode as number | undefined;
  if (kind || status === undefined || status < 500) return undefined;
  const text = `${status} ${typeof response!.statusMessage === 'string' ? response!.statusMessage : ''}`.trim();
  return new UpstreamError(`${TITLE} answered ${text} for the ${part}`, { retryable: true, httpStatus: status, cause: err });
}
