// A host stand-in for the full-disk test: writes numbered points to the embedded local store in
// batches of 10, flushing each, and prints the storage's health after each flush as one JSON line.
// Run under a file-size limit (prlimit --fsize=N): past N bytes a write is cut short, then refused.
// Run: node --import tsx test/faults/support/local-store-child.ts '<StorageConfig as JSON>' <points>
import { pino } from 'pino';
import type { StorageConfig } from '../../../core/config/types.js';
import { createStorage } from '../../../core/storage/index.js';
import { numberedPoints } from '../../support/storage-fixture.js';

const config = JSON.parse(process.argv[2] ?? '{}') as StorageConfig;
const total = Number(process.argv[3] ?? 100);
const storage = createStorage(config, pino({ level: 'warn' }, pino.destination(2)));
await storage.start();
for (let next = 0; next < total; next += 10) {
  storage.write(numberedPoints('full', next, 10));
  await storage.flush();
  process.stdout.write(`${JSON.stringify(storage.health())}\n`);
}
await storage.close();
