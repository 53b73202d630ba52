import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type Koa from 'koa';

/** Descriptors kept for the core (spool, local store, InfluxDB, plugins' sockets) under the process limit. */
const RESERVED_FDS = 256;

/** The soft limit of open files (`ulimit -n`), from /proc on Linux; undefined where unknown. */
export function openFilesLimit(limits = '/proc/self/limits'): number | undefined {
  try {
    const line = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync(limits, 'utf8'))?.[1];
    return line === undefined || line === 'unlimited' ? undefined : Number(line);
  } catch {
    return undefined;
  }
}

/**
 * The connection cap: `configured`, lowered so that RESERVED_FDS descriptors stay free for the
 * core under the process's open-files limit (a flood of idle clients once took them all: EMFILE).
 */
export function connectionCap(configured: number, fdLimit = openFilesLimit()): number {
  if (fdLimit === undefined) return configured;
  return Math.max(1, Math.min(configured, fdLimit - RESERVED_FDS));
}

export interface ListenOptions {
  host: string;
  port: number;
  /** `server.max_connections`: connections past it are closed on accept. */
  maxConnections: number;
}

/**
 * Serves `app` on `host:port`. Idle clients cannot hold connections for long: a client has 10 s
 * to send its headers and 30 s for its whole request, a kept-alive connection closes after 5 s
 * of silence, and the check runs every second (node's default is every 30 s).
 */
export function listen(app: Koa, options: ListenOptions): Promise<Server> {
  const server = createServer({ headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000, connectionsCheckingInterval: 1_000 }, app.callback());
  server.maxConnections = connectionCap(options.maxConnections);
  return new Promise<Server>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
