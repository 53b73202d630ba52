import {
  AccessDeniedError,
  CredentialsError,
  DataError,
  UpstreamError,
  type RunContext,
} from '../../core/plugin-api/index.js';
import { GQL_PATH } from './queries.js';

interface GraphqlError {
  message?: unknown;
  extensions?: { code?: unknown };
}

/**
 * Sends one GraphQL query to Tibber and returns its `data`. Tibber reports most failures in a 200
 * answer's `errors[]` (a bad token included, since 2025-01-03): those become typed errors here;
 * plain HTTP failures (429, 5xx) are left to the host, which maps them in one place.
 *
 * @throws CredentialsError on `UNAUTHENTICATED`; AccessDeniedError for what the demo user may not
 *   read; UpstreamError for other GraphQL errors and for a non-JSON answer (a maintenance page);
 *   DataError for a JSON answer without `data`.
 */
export async function tibberQuery(ctx: RunContext<unknown>, query: string, variables: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  let response;
  try {
    // A query changes nothing, so a POST is as safe to retry as a GET (got retries no POST by default).
    response = await ctx.http.post(GQL_PATH, { json: { query, variables }, retry: { methods: ['POST'] } });
  } catch (err) {
    throw refusedQuery(err) ?? err;
  }
  const type = String(response.headers['content-type'] ?? '');
  if (!/json/i.test(type)) {
    throw new UpstreamError(`Tibber answered ${response.statusCode} with ${type || 'no content type'} instead of JSON`, {
      retryable: true,
      httpStatus: response.statusCode,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body);
  } catch (cause) {
    throw new DataError('Tibber sent a body that is not valid JSON', { cause });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    const what = parsed === null ? 'null' : Array.isArray(parsed) ? 'a list' : `a ${typeof parsed}`;
    throw new DataError(`Tibber answered ${what}, not a GraphQL answer (an object with "data")`);
  }
  const body = parsed as { data?: unknown; errors?: unknown };
  if (Array.isArray(body.errors) && body.errors.length > 0) throw fromGraphqlErrors(body.errors as GraphqlError[]);
  if (!body.data || typeof body.data !== 'object') throw new DataError('Tibber answered without "data"');
  return body.data as Record<string, unknown>;
}

/** Tibber's GraphQL `errors[]` as one typed error. */
export function fromGraphqlErrors(errors: GraphqlError[], status: { httpStatus?: number; cause?: unknown } = {}): Error {
  const text = errors.map((e) => (typeof e?.message === 'string' ? e.message : 'no message')).join('; ');
  const codes = errors.map((e) => e?.extensions?.code).filter((c): c is string => typeof c === 'string');
  if (codes.includes('UNAUTHENTICATED')) {
    return new CredentialsError(`Tibber refused the access token (UNAUTHENTICATED: ${text})`, status);
  }
  if (/demo user/i.test(text)) return new AccessDeniedError(`Tibber does not allow this with the demo token: ${text}`, status);
  const code = codes[0] ? ` (${codes[0]})` : '';
  return new UpstreamError(`Tibber answered with an error${code}: ${text}`, {
    retryable: codes.includes('INTERNAL_SERVER_ERROR'),
    ...status,
  });
}

/** A 400 whose body holds GraphQL `errors[]` (a query Tibber refuses) says more than its status. */
function refusedQuery(err: unknown): Error | undefined {
  const response = (err as { response?: { statusCode?: unknown; body?: unknown } } | null)?.response;
  if (response?.statusCode !== 400 || typeof response.body !== 'string') return undefined;
  try {
    const body = JSON.parse(response.body) as { errors?: unknown };
    if (!Array.isArray(body.errors) || body.errors.length === 0) return undefined;
    return fromGraphqlErrors(body.errors as GraphqlError[], { httpStatus: 400, cause: err });
  } catch {
    return undefined;
  }
}
