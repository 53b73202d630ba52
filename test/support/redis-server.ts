import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';
import { ManagedProcess, startWithRetries, waitUntil } from './managed-process.js';

/**
 * A private Redis (Debian's `redis-server` 7) on a free loopback port, its files in a temporary
 * folder and no persistence (`--save '' --appendonly no`: a restart starts empty). `stop` and
 * `start` keep the port, for tests of "Redis restarted under load".
 */
export class RedisServer {
  readonly dir: string;
  private process: ManagedProcess | null = null;
  private port = 0;

  private constructor() {
    this.dir = mkdtempSync(path.join(tmpdir(), 'homeiq-redis-'));
  }

  static async start(): Promise<RedisServer> {
    const server = new RedisServer();
    return startWithRetries(server, async () => {
      server.port = await freePort();
      // BullMQ requires noeviction: an evicted key would lose a job silently.
      const args = ['--port', String(server.port), '--bind', '127.0.0.1', '--dir', server.dir, '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'];
      server.process = new ManagedProcess('redis-server', args, path.join(server.dir, 'redis.log'));
      await server.start();
    });
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** (Re)starts on the same port; resolves once the server started here answers. */
  async start(): Promise<void> {
    const p = this.process!;
    p.start();
    try {
      await waitUntil(`redis-server on ${this.url}`, () => this.isOurs(), () => p.running);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${p.logTail()}`, { cause: err });
    }
  }

  /** Only the server started here has this instance's temporary folder as its `dir`: the identity check. */
  private async isOurs(): Promise<boolean> {
    const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    client.on('error', () => undefined); // a refused connect rejects `connect()` below
    try {
      await client.connect();
      const [, dir] = (await client.config('GET', 'dir')) as string[];
      return dir === this.dir;
    } finally {
      client.disconnect();
    }
  }

  async stop(): Promise<void> {
    await this.process?.stop();
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
