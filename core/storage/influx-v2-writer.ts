import type { InfluxConfig } from '../config/types.js';
import { StorageError } from '../plugin-api/errors.js';
import type { LineWriter } from './line-writer.js';
import type { Precision } from './line-protocol.js';
import { openInfluxConnection, postBody, type InfluxConnection } from './influx-connection.js';
import { toWriteError } from './write-failure.js';

const HEADERS = { 'content-type': 'text/plain; charset=utf-8' };

/**
 * Writes through the InfluxDB v2 write API (`POST /api/v2/write?org=&bucket=&precision=`):
 * InfluxDB 2.x, 3.x, Cloud, 1.8+ in compatibility mode, and VictoriaMetrics. Uses the
 * @influxdata/influxdb-client transport directly, so the client itself never retries: the
 * storage's spool is the retry mechanism.
 */
export class InfluxV2Writer implements LineWriter {
  readonly where: string;
  private readonly connection: InfluxConnection;
  private readonly path: string;

  constructor(config: InfluxConfig, precision: Precision) {
    if (!config.bucket) throw new StorageError('storage.influxdb.bucket is required for api v2', { retryable: false });
    this.connection = openInfluxConnection(config, config.token);
    this.where = this.connection.where;
    const query = new URLSearchParams({ org: config.org ?? '', bucket: config.bucket, precision });
    this.path = `/api/v2/write?${query.toString()}`;
  }

  async write(body: Buffer): Promise<void> {
    try {
      await postBody(this.connection.transport, this.path, body, HEADERS);
    } catch (err) {
      throw toWriteError(err, this.where, this.connection.secrets);
    }
  }

  async close(): Promise<void> {
    this.connection.close();
  }
}
