import type { Redis } from 'ioredis';

/** Deletes a lock only while it is still its owner's. */
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/**
 * A short lock in Redis shared by the hosts (`SET key owner NX PX ms`): true when `owner` took it.
 * It lapses by itself after `ms`, so a holder that dies never blocks the others for longer.
 */
export async function takeLock(client: Redis, key: string, owner: string, ms: number): Promise<boolean> {
  return (await client.set(key, owner, 'PX', ms, 'NX')) === 'OK';
}

/** Releases the lock only while `owner` still holds it (it may have lapsed and been taken by another host). */
export async function releaseLock(client: Redis, key: string, owner: string): Promise<void> {
  await client.eval(RELEASE, 1, key, owner);
}
