import type { InfluxConfig } from '../config/types.js';
import { StorageError } from '../plugin-api/errors.js';
import type { LineWriter } from './line-writer.js';
import type { Precision } from './line-protocol.js';
import { openInfluxConnection, postBody, type InfluxConnection } from './influx-connection.js';
import { toWriteError } from './write-failure.js';

/** InfluxDB 1.x names nanoseconds and microseconds `n` and `u`. */
const V1_PRECISION: Record<Precision, string> = { ns: 'n', us: 'u', ms: 'ms', s: 's' };

function credentialsOf(config: InfluxConfig): { username?: string; password?: string } {
  if (config.username) return { username: config.username, password: config.password ?? '' };
  try {
    const url = new URL(config.url);
    if (url.username) return { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
  } catch {
    // openInfluxConnection reports the bad URL.
  }
  return {};
}

/**
 * Writes through the InfluxDB 1.x API: `POST /write?db=&rp=&precision=`, with HTTP basic auth
 * when a username is configured (never `u`/`p` in the query string, which proxies log).
 */
export class InfluxV1Writer implements LineWriter {
  readonly where: string;
  private readonly connection: InfluxConnection;
  private readonly path: string;
  private readonly headers: Record<string, string>;

  constructor(config: InfluxConfig, precision: Precision) {
    if (!config.database) throw new StorageError('storage.influxdb.database is required for api v1', { retryable: false });
    // A token on v1 is InfluxDB 1.8's `Authorization: Token user:password`.
    this.connection = openInfluxConnection(config, config.token);
    this.where = this.connection.where;
    const query = new URLSearchParams({ db: config.database, precision: V1_PRECISION[precision] });
    if (config.retention_policy) query.set('rp', config.retention_policy);
    this.path = `/write?${query.toString()}`;
    this.headers = { 'content-type': 'text/plain; charset=utf-8' };
    const { username, password } = credentialsOf(config);
    if (username !== undefined) {
      this.headers.authorization = `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`;
    }
  }

  async write(body: Buffer): Promise<void> {
    try {
      await postBody(this.connection.transport, this.path, body, this.headers);
    } catch (err) {
      throw toWriteError(err, this.where, this.connection.secrets);
    }
  }

  async close(): Promise<void> {
    this.connection.close();
  }
}
