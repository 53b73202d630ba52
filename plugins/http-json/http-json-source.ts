import { CredentialsError, DataError, type DataSource, type FetchResult, type LoginContext, type RunContext, type TokenGrant } from '../../core/plugin-api/index.js';
import { compileMapping, select, toPoints, type Mapping } from './mapping.js';
import type { HttpJsonOptions } from './options.js';

type Ctx = RunContext<HttpJsonOptions>;

/** The answer's text as JSON; a DataError saying what came instead (an HTML error page, text). */
function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const looks = /^\s*</.test(text) ? 'an HTML or XML page, not JSON' : /^\s*[[{]/.test(text) ? 'broken JSON (cut short?)' : text.trim() ? 'text, not JSON' : 'empty, not JSON';
    throw new DataError(`${what}: the answer is ${looks}`);
  }
}

/**
 * A generic JSON source: one request as the options say, its answer mapped to points by the
 * compiled selectors. Signing in (a key, a login's token, an OAuth refresh) is the host's; this
 * source only answers the `login` hook for the login style.
 */
export class HttpJsonSource implements DataSource<HttpJsonOptions> {
  private readonly mapping: Mapping;

  constructor(private readonly options: HttpJsonOptions) {
    this.mapping = compileMapping(options).mapping;
  }

  async fetch(ctx: Ctx): Promise<FetchResult> {
    const o = this.options;
    const text = await ctx.http(o.url.replace(/^\//, ''), {
      method: o.method,
      searchParams: o.query,
      headers: o.headers,
      signal: ctx.signal,
    }).text();
    const { points, errors } = toPoints(parseJson(text, `${o.method} ${o.url}`), this.mapping, o);
    if (errors.length > 0) ctx.logger.warn({ skipped: errors.length, first: errors[0]!.error.message }, 'records skipped');
    return { points, errors, details: { records: points.length + errors.length, skipped_records: errors.length } };
  }

  /** POSTs the username and password as JSON to `auth.url`; the token and its lifetime are selected from the answer. */
  async login(ctx: LoginContext<HttpJsonOptions>): Promise<TokenGrant> {
    const auth = this.options.auth!;
    const { username = '', password = '' } = ctx.credentials;
    const text = await ctx.http.post(auth.url!.replace(/^\//, ''), { json: { username, password }, signal: ctx.signal }).text();
    const body = parseJson(text, `login ${auth.url}`);
    const token = select(this.mapping.token!, body, 'login');
    if (typeof token !== 'string' || !token) throw new CredentialsError(`the login answer has no token at ${auth.token ?? 'token'}`);
    const expiresIn = this.mapping.expiresIn ? select(this.mapping.expiresIn, body, 'login') : undefined;
    return typeof expiresIn === 'number' ? { token, expiresIn } : { token };
  }
}
