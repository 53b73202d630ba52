import type { TokenGrant } from '../plugin-api/data-source.js';

export interface TokenState {
  last_token_refresh: string | null;
  token_refresh_count: number;
  token_expires_at: string | null;
}

/** How a token is obtained: a login (or refresh) of the plugin, or the host's OAuth2 exchange. */
export type ObtainToken = (current: TokenGrant | undefined, rejected?: string) => Promise<TokenGrant>;

export interface TokenManagerOptions {
  /**
   * Obtains a fresh grant (login, or OAuth refresh); `current` is set when renewing, `rejected` is
   * the token the upstream just refused (never to be handed back, by another host either).
   */
  obtain: ObtainToken;
  /** Renew when less than this remains (ms). */
  refreshBeforeMs: number;
  /** Lifetime when neither the grant nor the JWT says (ms). */
  defaultLifetimeMs: number;
  now?: () => number;
  /**
   * Called with every token obtained, so the redactor can hide it. What it returns is called to
   * forget the token once a newer one replaced it and its own expiry passed (it can no longer
   * appear in a request, so keeping it would only grow the redactor by every renewal).
   */
  onToken?: (token: string) => (() => void) | void;
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
  /** Forgets the current token's secret (from `onToken`). */
  private forgetCurrent: (() => void) | undefined;
  /** Replaced tokens, forgotten once their expiry passes: a request sent just before may still log them. */
  private readonly replaced: { expiresAt: number; forget: () => void }[] = [];
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
    this.retireCurrent();
    return this.renew(rejected);
  }

  /** Forgets the token (config change, credentials refused). */
  clear(): void {
    this.retireCurrent();
    this.expiresAt = 0;
  }

  state(): TokenState {
    return {
      last_token_refresh: this.lastRefresh === null ? null : new Date(this.lastRefresh).toISOString(),
      token_refresh_count: this.refreshCount,
      token_expires_at: this.grant ? new Date(this.expiresAt).toISOString() : null,
    };
  }

  private renew(rejected?: string): Promise<string> {
    if (!this.inflight) {
      const current = this.grant;
      this.inflight = this.options
        .obtain(current, rejected)
        .then((grant) => {
          if (!grant || typeof grant.token !== 'string' || !grant.token) {
            throw new TypeError('the login hook returned no token');
          }
          this.retireCurrent();
          this.forgetCurrent = this.options.onToken?.(grant.token) ?? undefined;
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

  /** Moves the current token to the replaced ones and forgets those whose expiry has passed. */
  private retireCurrent(): void {
    if (this.grant && this.forgetCurrent) this.replaced.push({ expiresAt: this.expiresAt, forget: this.forgetCurrent });
    this.grant = undefined;
    this.forgetCurrent = undefined;
    const now = this.now();
    for (let i = this.replaced.length - 1; i >= 0; i--) {
      const old = this.replaced[i]!;
      if (old.expiresAt > now) continue;
      old.forget();
      this.replaced.splice(i, 1);
    }
  }

  private expiryOf(grant: TokenGrant): number {
    return grantExpiry(grant, this.now(), this.options.defaultLifetimeMs);
  }
}

/** When a grant expires (ms): the hook's answer, else the JWT `exp` claim, else the default lifetime. */
export function grantExpiry(grant: TokenGrant, now: number, defaultLifetimeMs: number): number {
  if (grant.expiresAt instanceof Date && !Number.isNaN(grant.expiresAt.getTime())) return grant.expiresAt.getTime();
  if (typeof grant.expiresIn === 'number' && grant.expiresIn > 0) return now + grant.expiresIn * 1000;
  const exp = jwtExpiry(grant.token);
  if (exp !== undefined) return exp;
  return now + defaultLifetimeMs;
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
