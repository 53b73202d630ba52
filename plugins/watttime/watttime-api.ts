import { errorKind, UpstreamError, type LoginContext, type RunContext, type TokenGrant } from '../../core/plugin-api/index.js';
import { loginRequest, parseLogin, type UpstreamRequest } from './client.js';
import { pacersFor } from './request-pacer.js';
import { refineHttpError, upstreamText, type FailedCall } from './upstream-errors.js';

/**
 * The WattTime calls of a source, sent through the host's `ctx.http` (base URL, bearer token,
 * one re-login after a 401, retries of transient failures) after taking a slot of the account's
 * pacer, with WattTime's own error conventions refined into typed errors.
 */

/** `GET /login` with Basic auth: the token whose JWT `exp` the host reads. */
export async function login<O>(ctx: LoginContext<O>): Promise<TokenGrant> {
  const { username = '', password = '' } = ctx.credentials;
  await pacersFor(username).logins.take(ctx.signal);
  const request = loginRequest(username, password);
  try {
    return parseLogin(await ctx.http.get(request.path, { headers: request.headers, signal: ctx.signal }).text());
  } catch (err) {
    throw refineHttpError(err, { call: 'login' });
  }
}

/** One GET of a data endpoint; its body as text, for the parsers of client.ts. */
export async function getBody<O>(ctx: RunContext<O>, request: UpstreamRequest, call: FailedCall): Promise<string> {
  await pacersFor(ctx.credentials.username ?? '').requests.take(ctx.signal);
  try {
    return await ctx.http.get(request.path, { searchParams: request.searchParams }).text();
  } catch (err) {
    throw refineHttpError(err, call);
  }
}

/**
 * The typed error inside `err`: itself, or what a hook threw (a login during a data request,
 * which got wraps), or `err` unchanged.
 */
export function unwrap(err: unknown): unknown {
  if (errorKind(err)) return err;
  const cause = (err as { cause?: unknown } | null)?.cause;
  return errorKind(cause) ? cause : err;
}

/**
 * When one part of a run (a region's forecast, say) failed: the error to record for that part
 * alone, or undefined when the failure concerns the whole run (refused credentials, a rate limit,
 * the run's time limit, no connection) and must end it, so the host backs off as it should.
 */
export function partFailure(err: unknown, call: FailedCall): Error | undefined {
  const typed = unwrap(err);
  const kind = errorKind(typed);
  if (kind === 'access' || kind === 'upstream' || kind === 'data') return typed as Error;
  if (kind) return undefined;
  const response = (typed as { response?: { statusCode?: unknown; statusMessage?: unknown; body?: unknown } } | null)?.response;
  const status = typeof response?.statusCode === 'number' ? response.statusCode : undefined;
  // 401 after the host's fresh login, and 429, concern the account: the host maps them.
  if (status === undefined || status === 401 || status === 429) return undefined;
  const what = { 'signal-index': 'signal index', historical: 'history' }[call.call as string] ?? call.call;
  const where = call.region ? `the ${call.region} ${what}` : what;
  const text = `${status} ${typeof response?.statusMessage === 'string' ? response.statusMessage : ''}`.trim();
  const said = upstreamText(response?.body);
  const message = `WattTime answered ${text} for ${where}${said ? `: ${said}` : ''}`;
  return new UpstreamError(message, { retryable: status >= 500 || status === 408, httpStatus: status, cause: typed });
}
