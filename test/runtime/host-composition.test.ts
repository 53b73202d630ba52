import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { sourceSettings } from '../../core/config/source-settings.js';
import type { SourceConfig } from '../../core/config/types.js';
import { Redactor } from '../../core/logging/redactor.js';
import { definePlugin, int } from '../../core/plugin-api/index.js';
import { Host } from '../../core/runtime/host.js';
import type { Publisher } from '../../core/runtime/publisher.js';
import { LocalScheduler } from '../../core/runtime/scheduler.js';
import { createStorage } from '../../core/storage/index.js';
import { storageConfig } from '../support/storage-fixture.js';
import { eventually } from '../support/eventually.js';

const counter = definePlugin({
  id: 'counter',
  apiVersion: 1,
  title: 'Counter',
  default_schedule: '1h',
  create: () => ({ fetch: async () => ({ points: [{ measurement: 'count', tags: {}, fields: { n: int(1) }, time: new Date() }] }) }),
});

/** A publisher that keeps what it was given. */
function recorder(): Publisher & { seen: string[] } {
  const seen: string[] = [];
  return { seen, runFinished: (id, outcome, _seconds, points) => void seen.push(`${id} ${outcome} ${points}`) };
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

describe('Host built by hand (no container)', () => {
  it('runs a source and hands its run to every publisher', async () => {
    const storage = createStorage(storageConfig(mkdtempSync(path.join(tmpdir(), 'homeiq-host-'))), pino({ level: 'silent' }));
    await storage.start();
    const scheduler = new LocalScheduler();
    const [first, second] = [recorder(), recorder()];
    const host = new Host(storage, scheduler, pino({ level: 'silent' }), new Redactor(), { version: 'test' }, [first, second]);
    stops.push(async () => {
      scheduler.stop();
      await host.stop(0);
      await storage.close();
    });
    const source: SourceConfig = { id: 'kitchen', plugin: 'counter', enabled: true, credentials: {}, options: {} };
    await host.apply([{ source, plugin: counter, options: {}, settings: sourceSettings(counter, {}), fingerprint: 'a' }]);
    await eventually('the first run', () => host.ready());
    expect(first.seen).toEqual(['kitchen success 1']);
    expect(second.seen).toEqual(first.seen);
    expect(host.health().sources.kitchen?.status).toBe('healthy');
  });

  it("reports the other sources when one source's report fails, and shows that one in error with why", async () => {
    const storage = createStorage(storageConfig(mkdtempSync(path.join(tmpdir(), 'homeiq-host-'))), pino({ level: 'silent' }));
    await storage.start();
    // A store whose bookkeeping of one source is broken: reading it throws.
    const lastWritten = storage.lastWritten.bind(storage);
    storage.lastWritten = (id: string) => {
      if (id === 'broken') throw new RangeError('Invalid time value');
      return lastWritten(id);
    };
    const scheduler = new LocalScheduler();
    const host = new Host(storage, scheduler, pino({ level: 'silent' }), new Redactor(), { version: 'test' });
    stops.push(async () => {
      scheduler.stop();
      await host.stop(0);
      await storage.close();
    });
    const entry = (id: string) => {
      const source: SourceConfig = { id, plugin: 'counter', enabled: true, credentials: {}, options: {} };
      return { source, plugin: counter, options: {}, settings: sourceSettings(counter, {}), fingerprint: id };
    };
    await host.apply([entry('kitchen'), entry('broken')]);
    await eventually('the first runs', () => host.ready());
    const report = host.health();
    expect(report.sources.kitchen).toMatchObject({ status: 'healthy', status_detail: 'operational' });
    expect(report.sources.broken).toMatchObject({
      plugin: 'counter',
      status: 'error',
      last_error: { message: 'its health could not be reported: Invalid time value' },
    });
    expect(report.status).toBe('error');
  });
});
