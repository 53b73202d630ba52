import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { TokenGrant } from '../plugin-api/data-source.js';
import type { TokenShare } from './source-auth.js';
import { releaseLock, takeLock } from './redis-lock.js';
import { grantExpiry, type ObtainToken } from './token-manager.js';

/** How long one host may take to log in before another may try (the lock's life). */
export const TOKEN_LOCK_MS = 10_000;
const POLL_MS = 200;

/** A token as kept in Redis for the other hosts. */
interface StoredToken {
  token: string;
  expiresAt: number;
  /** A digest of the credentials it was obtained with: new credentials never reuse an old token. */
  for: string;
}

export interface TokenShareInput {
  client: Redis;
  /** `<prefix>:token:<source id>` holds the token, `<prefix>:token-lock:<source id>` the lock. */
  prefix: string;
  sourceId: string;
  credentials: Readonly<Record<string, string>>;
  hostId: string;
  /** Redis could not be asked: this host logs in on its own (said once per outage by the caller). */
  onRedisError: (err: unknown) => void;
}

/**
 * One login for all hosts sharing a source. A host that needs a token first reads the one in Redis;
 * when there is none it still can use, it takes the source's lock (`SET NX PX 10000`), logs in,
 * stores the token until it expires and releases the lock; the others wait for that token. A lock
 * whose holder died lapses after 10 s, and a host that waited 30 s logs in itself. Redis unreachable:
 * each host logs in on its own, as with one host.
 *
 * A token the upstream refused (`rejected`) or one about to be renewed (`current`) is never handed back.
 */
export function redisTokenShare(input: TokenShareInput): TokenShare {
  const key = `${input.prefix}:token:${input.sourceId}`;
  const lockKey = `${input.prefix}:token-lock:${input.sourceId}`;
  // Made when the source first needs a token (a source without a login never does), not for every source at start.
  let credentialsDigest: string | undefined;
  const digest = () => (credentialsDigest ??= createHash('sha256').update(JSON.stringify([input.prefix, input.sourceId, input.credentials])).digest('base64url'));
  const { client } = input;
  return (obtain: ObtainToken, lifetime) =>
    async (current: TokenGrant | undefined, rejected?: string): Promise<TokenGrant> => {
      const usable = (stored: StoredToken | null): stored is StoredToken =>
        stored !== null &&
        stored.for === digest() &&
        stored.token !== current?.token &&
        stored.token !== rejected &&
        stored.expiresAt - Date.now() > lifetime.refreshBeforeMs;
      const giveUpAt = Date.now() + 3 * TOKEN_LOCK_MS;
      for (;;) {
        let stored: StoredToken | null;
        let locked: boolean;
        try {
          stored = parseStored(await client.get(key));
          if (usable(stored)) return { token: stored.token, expiresAt: new Date(stored.expiresAt) };
          locked = await takeLock(client, lockKey, input.hostId, TOKEN_LOCK_MS);
        } catch (err) {
          input.onRedisError(err);
          return obtain(current);
        }
        if (locked) return obtainAndStore(obtain, current, lifetime.defaultLifetimeMs);
        // Another host is logging in; after 30 s without its token, log in here.
        if (Date.now() > giveUpAt) return obtain(current);
        await sleep(POLL_MS);
      }
    };

  async function obtainAndStore(obtain: ObtainToken, current: TokenGrant | undefined, defaultLifetimeMs: number): Promise<TokenGrant> {
    try {
      const grant = await obtain(current);
      if (!grant || typeof grant.token !== 'string' || !grant.token) return grant; // the token manager says what is wrong
      const expiresAt = grantExpiry(grant, Date.now(), defaultLifetimeMs);
      const ttl = Math.floor(expiresAt - Date.now());
      const stored: StoredToken = { token: grant.token, expiresAt, for: digest() };
      if (ttl > 0) await client.set(key, JSON.stringify(stored), 'PX', ttl).catch(input.onRedisError);
      return { ...grant, expiresAt: new Date(expiresAt) };
    } finally {
      await releaseLock(client, lockKey, input.hostId).catch(input.onRedisError);
    }
  }
}

function parseStored(text: string | null): StoredToken | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as Partial<StoredToken>;
    if (typeof value.token !== 'string' || typeof value.expiresAt !== 'number' || typeof value.for !== 'string') return null;
    return value as StoredToken;
  } catch {
    return null;
  }
}
