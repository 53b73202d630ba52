// A host stand-in for the kill -9 test: writes numbered points into the storage forever, and
// after each flush (points in the store or in the durable spool) prints `acked <count>`.
// Run: node --import tsx test/support/spool-writer-child.ts '<StorageConfig as JSON>'
import { pino } from 'pino';
import type { StorageConfig } from '../../core/config/types.js';
import { createStorage } from '../../core/storage/index.js';
import { numberedPoints } from './storage-fixture.js';

const config = JSON.parse(process.argv[2] ?? '{}') as StorageConfig;
const storage = createStorage(config, pino({ level: 'error' }, pino.destination(2)));
await storage.start();
process.stdout.write('started\n');
for (let next = 0; ; next += 10) {
  storage.write(numberedPoints('crash', next, 10));
  await storage.flush();
  process.stdout.write(`acked ${next + 10}\n`);
}
