import got, { HTTPError, type Got } from 'got';
import type { DataSource, LoginContext, TokenGrant } from '../plugin-api/data-source.js';
import { CredentialsError } from '../plugin-api/errors.js';
import { parseDuration } from '../plugin-api/duration.js';
import type { SourceSettings } from '../config/source-settings.js';
import type { PluginDeclaration } from '../plugin-api/plugin.js';
import type { Redactor } from '../logging/redactor.js';
import { createSourceHttp } from './http-client.js';
import { toTypedError, upstreamMessage } from './http-errors.js';
import { TokenManager, type ObtainToken } from './token-manager.js';

export interface SourceAuthInput {
  plugin: PluginDeclaration;
  /** The source whose `login`/`refresh` hooks obtain tokens (`login` style). */
  dataSource: DataSource;
  credentials: Record<string, string>;
  settings: SourceSettings;
  redactor: Redactor;
  /** Builds the context handed to the plugin's login hook (with the token-less client). */
  loginContext: (http: Got, signal: AbortSignal) => LoginContext;
  backoffBaseMs?: number;
  /** Shares the token with the other hosts of a shared scheduler: one of them logs in, all use it. */
  shareToken?: TokenShare;
}

/**
 * Wraps a source's way of obtaining a token so that hosts sharing the sources obtain it once for
 * all (shared-tokens.ts); `lifetime` says how long a grant that names no expiry lasts.
 */
export type TokenShare = (obtain: ObtainToken, lifetime: { defaultLifetimeMs: number; refreshBeforeMs: number }) => ObtainToken;

export interface SourceAuth {
  /** The client plugins use in `fetch` and `validate`. */
  http: Got;
  /** The client without tokens, for `login`. */
  loginHttp: Got;
  tokens: TokenManager | null;
}

/**
 * Wires a source's credentials into its HTTP client: a static key, or a token manager fed by the
 * plugin's `login` hook or by the host's OAuth2 refresh-token exchange.
 */
export function createSourceAuth(input: SourceAuthInput): SourceAuth {
  const { plugin, credentials, settings, redactor } = input;
  const spec = settings.credentials;
  const { timeoutMs } = settings;
  const common = {
    baseUrl: settings.baseUrl,
    retries: settings.retries,
    timeoutMs,
    backoffBaseMs: input.backoffBaseMs,
  };
  const loginHttp = createSourceHttp(common);
  if (!spec) return { http: loginHttp, loginHttp, tokens: null };
  if (spec.style === 'api_key') {
    const field = spec.fields?.[0] ?? 'api_key';
    const http = createSourceHttp({ ...common, apiKey: { send: spec.send, value: credentials[field] ?? '' } });
    return { http, loginHttp, tokens: null };
  }
  if (credentials.username !== undefined && credentials.password !== undefined) {
    redactor.addBasicAuth(credentials.username, credentials.password);
  }
  const obtainHere: ObtainToken =
    spec.style === 'oauth2_refresh'
      ? (current: TokenGrant | undefined) =>
          oauth2Refresh(plugin, settings.tokenUrl ?? spec.token_url, credentials, common.baseUrl, timeoutMs, current)
      : (current: TokenGrant | undefined) =>
          callLogin(plugin, input.dataSource, input.loginContext(loginHttp, AbortSignal.timeout(timeoutMs)), current);
  const lifetime = { defaultLifetimeMs: parseDuration(spec.default_lifetime ?? '30m') ?? 1_800_000, refreshBeforeMs: settings.refreshBeforeMs };
  const tokens = new TokenManager({
    obtain: input.shareToken ? input.shareToken(obtainHere, lifetime) : obtainHere,
    ...lifetime,
    onToken: (t) => redactor.add(t),
  });
  return { http: createSourceHttp({ ...common, tokens }), loginHttp, tokens };
}

async function callLogin(
  plugin: PluginDeclaration,
  source: DataSource,
  ctx: LoginContext,
  current: TokenGrant | undefined,
): Promise<TokenGrant> {
  try {
    if (current && source.refresh) return await source.refresh(ctx, current);
    if (!source.login) throw new TypeError(`plugin ${plugin.id} declares login credentials but its source has no login hook`);
    return await source.login(ctx);
  } catch (err) {
    // A login answered 401/403 means the username and password were refused.
    if (err instanceof HTTPError && (err.response.statusCode === 401 || err.response.statusCode === 403)) {
      const said = upstreamMessage(err.response.body);
      throw new CredentialsError(
        `${plugin.title} refused the username and password (${err.response.statusCode}${said ? `: ${said}` : ''})`,
        { httpStatus: err.response.statusCode, cause: err },
      );
    }
    throw toTypedError(err, { title: plugin.title, keyCredentials: true });
  }
}

/** RFC 6749 §6: exchanges the refresh token at the token URL. `invalid_grant` means re-consent. */
async function oauth2Refresh(
  plugin: PluginDeclaration,
  tokenUrl: string,
  credentials: Record<string, string>,
  baseUrl: string | undefined,
  timeoutMs: number,
  _current: TokenGrant | undefined,
): Promise<TokenGrant> {
  const url = /^https?:/.test(tokenUrl) ? tokenUrl : new URL(tokenUrl, baseUrl?.endsWith('/') ? baseUrl : `${baseUrl ?? ''}/`).toString();
  try {
    const body = await got
      .post(url, {
        form: {
          grant_type: 'refresh_token',
          client_id: credentials.client_id ?? '',
          client_secret: credentials.client_secret ?? '',
          refresh_token: credentials.refresh_token ?? '',
        },
        timeout: { request: timeoutMs },
        // got retries no POST by default; a refresh-token exchange is safe to repeat.
        retry: { limit: 2, methods: ['POST'] },
      })
      .json<{ access_token?: unknown; expires_in?: unknown }>();
    if (typeof body.access_token !== 'string' || !body.access_token) {
      throw new CredentialsError(`${plugin.title}'s token endpoint answered without an access_token`);
    }
    return { token: body.access_token, ...(typeof body.expires_in === 'number' ? { expiresIn: body.expires_in } : {}) };
  } catch (err) {
    if (err instanceof HTTPError && err.response.statusCode >= 400 && err.response.statusCode < 500) {
      throw oauthRefusal(plugin, err, credentials.client_id ?? '');
    }
    throw toTypedError(err, { title: plugin.title, keyCredentials: true });
  }
}

function oauthRefusal(plugin: PluginDeclaration, err: HTTPError, clientId: string): Error {
  let code = '';
  let description = '';
  try {
    const parsed = JSON.parse(String(err.response.body)) as { error?: string; error_description?: string };
    code = parsed.error ?? '';
    description = parsed.error_description ?? '';
  } catch {
    // Not JSON: fall through to the status.
  }
  const status = err.response.statusCode;
  if (code === 'invalid_grant') {
    return new CredentialsError(
      `${plugin.title} refused the refresh token (invalid_grant${description ? `: ${description}` : ''}): re-consent needed`,
      { httpStatus: status, cause: err },
    );
  }
  if (code === 'invalid_client' || code === 'unauthorized_client') {
    return new CredentialsError(`${plugin.title} does not know the OAuth client ${clientId} (${code}): check client_id and client_secret`, {
      httpStatus: status,
      cause: err,
    });
  }
  return new CredentialsError(`${plugin.title}'s token endpoint answered ${status}${code ? ` (${code})` : ''}`, { httpStatus: status, cause: err });
}
