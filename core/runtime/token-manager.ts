import type { TokenGrant } from '../plugin-api/data-source.js';

export interface TokenState {
  last_token_refresh: string | null;
  token_refresh_count: number;
  token_expires_at: string | null;
}

export interface TokenManagerOptions {
  /** Obtains a fresh grant (login, or OAuth refresh); `current` is set when renewing. */
  obtain: (current: TokenGrant | undefined) => Promise<TokenGrant>;
  /** Renew when less than this remains (ms). */
  refreshBeforeMs: number;
  /** Lifetime when neither the grant nor the JWT says (ms). */
  defaultLifetimeMs: number;
  now?: () => number;
  /** Called with every token obtained, so the redactor can hide it. */
  onToken?: (token: string) => void;
}

/**
 * One per source with `login` or `oauth2_refresh` credentials. Tokens live in memory only. One
 * login is in flight at a time however many requests wait for it (single flight); a token is
 * renewed `refreshBeforeMs` before it expires, so an expired token is never sent.
 */
export class TokenManager {
  private grant: TokenGrant | undefined;
  private expiresAt = 0;
  private inflight: Promise<string> | null = null;
  private lastRefresh: number | null = null;
  private refreshCount = 0;
  private readonly now: () => number;

  constructor(private readonly options: TokenManagerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** A token valid for at least `refreshBeforeMs` more, obtaining one when needed. */
  async token(): Promise<string> {
    if (this.grant && this.expiresAt - this.now() > this.options.refreshBeforeMs) return this.grant.token;
    return this.renew();
  }

  /**
   * After a 401 with `rejected`: obtains a new token unless another request already did
   * (then that one is returned), so N requests failing together cause one login.
   */
  async rejected(rejected: string): Promise<string> {
    if (this.grant && this.grant.token !== rejected && this.expiresAt > this.now()) return this.grant.token;
    this.grant = undefined;
    return this.renew();
  }

  /** Forgets the token (config change, credentials refused). */
  clear(): void {
    this.grant = undefined;
    this.expiresAt = 0;
  }

  state(): TokenState {
    return {
      last_token_refresh: this.lastRefresh === null ? null : new Date(this.lastRefresh).toISOString(),
      token_refresh_count: this.refreshCount,
      token_expires_at: this.grant ? new Date(this.expiresAt).toISOString() : null,
    };
  }

  private renew(): Promise<string> {
    if (!this.inflight) {
      const current = this.grant;
      this.inflight = this.options
        .obtain(current)
        .then((grant) => {
          if (!grant || typeof grant.token !== 'string' || !grant.token) {
            throw new TypeError('the login hook returned no token');
          }
          this.options.onToken?.(grant.token);
          this.grant = grant;
          this.expiresAt = this.expiryOf(grant);
          this.lastRefresh = this.now();
          this.refreshCount += 1;
          return grant.token;
        })
        .finally(() => {
          this.inflight = null;
        });
    }
    return this.inflight;
  }

  /** The hook's answer, else the JWT `exp` claim, else the default lifetime. */
  private expiryOf(grant: TokenGrant): number {
    if (grant.expiresAt instanceof Date && !Number.isNaN(grant.expiresAt.getTime())) return grant.expiresAt.getTime();
    if (typeof grant.expiresIn === 'number' && grant.expiresIn > 0) return this.now() + grant.expiresIn * 1000;
    const exp = jwtExpiry(grant.token);
    if (exp !== undefined) return exp;
    return this.now() + this.options.defaultLifetimeMs;
  }
}

/** The `exp` claim of a JWT in ms, or undefined when the token is not a JWT. */
export function jwtExpiry(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
