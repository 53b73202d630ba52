import { describe, expect, it } from 'vitest';
import { jwtExpiry, TokenManager } from '../../core/runtime/token-manager.js';
import type { TokenGrant } from '../../core/plugin-api/index.js';

const jwt = (exp: number) =>
  ['{"alg":"HS256"}', JSON.stringify({ exp })].map((p) => Buffer.from(p).toString('base64url')).join('.') + '.sig';

describe('TokenManager', () => {
  it('runs one login for many concurrent requests', async () => {
    let logins = 0;
    const tm = new TokenManager({
      obtain: async () => {
        logins += 1;
        await new Promise((r) => setTimeout(r, 30));
        return { token: `t${logins}`, expiresIn: 3600 };
      },
      refreshBeforeMs: 300_000,
      defaultLifetimeMs: 1_800_000,
    });
    const tokens = await Promise.all(Array.from({ length: 20 }, () => tm.token()));
    expect(new Set(tokens)).toEqual(new Set(['t1']));
    expect(logins).toBe(1);
    expect(tm.state().token_refresh_count).toBe(1);
  });

  it('renews refresh_before the expiry, taken from the grant, else the JWT exp, else the default', async () => {
    let now = 1_000_000;
    const grants: TokenGrant[] = [
      { token: 'a', expiresAt: new Date(now + 600_000) },
      { token: jwt((now + 400_000) / 1000) },
      { token: 'opaque' },
    ];
    const tm = new TokenManager({ obtain: async () => grants.shift()!, refreshBeforeMs: 300_000, defaultLifetimeMs: 1_800_000, now: () => now });
    expect(await tm.token()).toBe('a');
    now += 250_000; // 350 s left: still good
    expect(await tm.token()).toBe('a');
    now += 60_000; // 290 s left: renew
    const renewed = grants[0]!.token;
    expect(await tm.token()).toBe(renewed);
    expect(tm.state().token_expires_at).toBe(new Date(1_400_000).toISOString());
    // Only 90 s are left on that JWT: the next request renews, and an opaque token gets the default lifetime.
    expect(await tm.token()).toBe('opaque');
    expect(tm.state().token_expires_at).toBe(new Date(now + 1_800_000).toISOString());
    expect(tm.state().token_refresh_count).toBe(3);
  });

  it('after a 401 obtains a new token once, even when several requests were refused together', async () => {
    let logins = 0;
    const tm = new TokenManager({ obtain: async () => ({ token: `t${++logins}`, expiresIn: 3600 }), refreshBeforeMs: 0, defaultLifetimeMs: 1 });
    const first = await tm.token();
    const again = await Promise.all([tm.rejected(first), tm.rejected(first), tm.rejected(first)]);
    expect(again).toEqual(['t2', 't2', 't2']);
    expect(logins).toBe(2);
  });

  it('reads the exp claim of a JWT', () => {
    expect(jwtExpiry(jwt(1_700_000_000))).toBe(1_700_000_000_000);
    expect(jwtExpiry('not-a-jwt')).toBeUndefined();
  });
});
