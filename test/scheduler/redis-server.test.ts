import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { RedisServer } from '../support/redis-server.js';

/** A client that fails at once instead of queueing commands while the server is away. */
function client(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => null });
  // Failures reach the awaited commands; the event would only be printed as unhandled.
  redis.on('error', () => undefined);
  return redis;
}

describe('the Redis the scheduler tests share', () => {
  it('answers PING on the injected redisUrl, with eviction off as BullMQ needs', async () => {
    const redis = client(inject('redisUrl'));
    try {
      await redis.connect();
      expect(await redis.ping()).toBe('PONG');
      expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    } finally {
      redis.disconnect();
    }
  });

  it('a private instance restarts on the same port and comes back empty (no persistence)', async () => {
    const server = await RedisServer.start();
    try {
      const before = client(server.url);
      await before.connect();
      await before.set('homeiq:test', 'kept?');
      await server.stop();
      await expect(before.ping()).rejects.toThrow();
      before.disconnect();
      await server.start();
      const after = client(server.url);
      await after.connect();
      expect(await after.get('homeiq:test')).toBeNull();
      after.disconnect();
    } finally {
      await server.destroy();
    }
  });
});
