import http from 'node:http';
import https from 'node:https';
import { InfluxDB, type Transport } from '@influxdata/influxdb-client';
import { StorageError } from '../plugin-api/errors.js';
import { parseDuration } from '../plugin-api/duration.js';
import type { InfluxConfig } from '../config/types.js';
import { MAX_STORE_WAIT_MS, toWriteError } from './write-failure.js';

const DEFAULT_TIMEOUT_MS = 10_000;

/** The InfluxDB client's HTTP transport, set up once for a writer, plus what its errors need. */
export interface InfluxConnection {
  transport: Transport;
  /** `InfluxDB at <origin>`: for messages. */
  where: string;
  /** Values that must never reach a message. */
  secrets: string[];
  close(): void;
}

/**
 * POSTs a body through the client's transport: resolves once the store answered 2xx, rejects with
 * the client's HttpError (or RequestTimedOutError, or a network error) otherwise. The transport
 * takes text; decoding a batch costs well under a millisecond next to the request itself.
 */
export function postBody(transport: Transport, path: string, body: Buffer, headers: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    transport.send(path, body.toString('utf8'), { method: 'POST', headers }, { error: reject, complete: () => resolve() });
  });
}

/** The origin of a URL, without user info, path or query (those may carry credentials). */
export function describeUrl(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * Opens the client's transport on the configured URL. Keep-alive connections: a write every
 * second should not pay a TCP handshake each time. `token` goes in the client's own
 * `Authorization: Token` header (v2, and 1.8+ with `user:password` tokens).
 */
export function openInfluxConnection(config: InfluxConfig, token?: string): InfluxConnection {
  const secrets = [config.token, config.password].filter((s): s is string => typeof s === 'string' && s !== '');
  let parsed: URL;
  try {
    parsed = new URL(config.url);
  } catch (err) {
    throw new StorageError(`storage.influxdb.url is not a URL`, { retryable: false, cause: err });
  }
  // The password only: a username such as `db` is no secret, and scrubbing it garbles messages (`db=***`).
  if (parsed.password) secrets.push(decodeURIComponent(parsed.password));
  const configured = config.timeout === undefined ? DEFAULT_TIMEOUT_MS : (parseDuration(config.timeout) ?? DEFAULT_TIMEOUT_MS);
  // The client's request timer: past 2^31-1 ms Node would fire it after 1 ms.
  const timeout = Math.min(configured, MAX_STORE_WAIT_MS);
  const agent = parsed.protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  // Credentials in the URL would end up in the client's request options; we pass them as headers.
  const base = `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
  const where = `InfluxDB at ${describeUrl(config.url)}`;
  try {
    const client = new InfluxDB({ url: base, token, timeout, transportOptions: { agent } });
    return { transport: client.transport, where, secrets, close: () => agent.destroy() };
  } catch (err) {
    throw toWriteError(err, where, secrets);
  }
}
