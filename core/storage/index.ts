import type { Logger } from 'pino';
import type { StorageConfig } from '../config/types.js';
import { BatchingStorage } from './batching-storage.js';
import { InfluxV1Writer } from './influx-v1-writer.js';
import { InfluxV2Writer } from './influx-v2-writer.js';
import type { Precision } from './line-protocol.js';
import type { LineWriter } from './line-writer.js';
import { LocalFileWriter } from './local-file-writer.js';
import { Spool } from './spool.js';
import type { Storage } from './storage.js';

export type { Storage, StorageHealth, ErrorRecord } from './storage.js';
export { toLineProtocol, pointToLine } from './line-protocol.js';
export { BatchingStorage } from './batching-storage.js';
export { InfluxV1Writer } from './influx-v1-writer.js';
export { InfluxV2Writer } from './influx-v2-writer.js';
export { LocalFileWriter } from './local-file-writer.js';
export { Spool } from './spool.js';

/**
 * The storage the config asks for: InfluxDB (v1 or v2 API) under `storage.influxdb`, else the
 * embedded local store (daily line-protocol files under `local_dir`). Either way points are
 * batched and kept in the durable spool under `spool_dir` while the store cannot take them.
 * Throws a StorageError when the InfluxDB settings cannot work (no bucket, no database, bad URL).
 */
export function createStorage(config: StorageConfig, logger: Logger, brief?: (text: string, max?: number) => string): Storage {
  const influx = config.influxdb;
  let writer: LineWriter;
  let precision: Precision;
  if (influx) {
    precision = influx.precision ?? 's';
    writer = influx.api === 'v1' ? new InfluxV1Writer(influx, precision) : new InfluxV2Writer(influx, precision);
  } else {
    precision = LocalFileWriter.precision;
    writer = new LocalFileWriter(config.local_dir, { retentionMs: config.local_retention_ms, logger });
  }
  const spool = new Spool({ dir: config.spool_dir, maxBytes: config.spool_max_bytes });
  return new BatchingStorage({
    type: influx ? 'influxdb' : 'local',
    writer,
    spool,
    precision,
    batchSize: config.batch_size,
    flushIntervalMs: config.flush_interval_ms,
    logger,
    brief,
  });
}
