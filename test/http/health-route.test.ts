// `GET /health` through the router (core/http/app.ts), over a host stand-in: what a failing
// health report looks like to a client, `?pretty`, other methods and unknown paths.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../core/http/app.js';
import { createLogger } from '../../core/logging/logger.js';
import { Redactor } from '../../core/logging/redactor.js';
import type { Host } from '../../core/runtime/host.js';
import { LogCapture } from '../../core/testkit/index.js';

let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** Serves createApp over a host whose report is `report` (a function: it may throw). */
async function serve(report: () => string): Promise<{ url: string; logs: LogCapture }> {
  const logs = new LogCapture();
  const redactor = new Redactor();
  const logger = createLogger({ level: 'info', redactor, destination: logs });
  const host = { health: () => JSON.parse(report()) as unknown, freshen: async () => undefined, sourceIds: [] } as unknown as Host;
  const app = createApp({ host, redactor, logger });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, logs };
}

describe('GET /health', () => {
  it('answers a failing report with a plain 500 JSON error, logged once, never gzip-labelled', async () => {
    const { url, logs } = await serve(() => {
      throw new Error('report broke');
    });
    const res = await fetch(`${url}/health`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.status).toBe(500);
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(await res.json()).toEqual({ error: 'internal error' });
    const failures = logs.records().filter((r) => r.msg === 'request failed');
    expect(failures).toHaveLength(1);
    expect(failures[0]!.path).toBe('/health');
  });

  it('answers the report as JSON, ?pretty indented, and refuses other methods and unknown paths', async () => {
    const { url } = await serve(() => '{"status":"healthy","sources":{}}');
    const plain = await fetch(`${url}/health`);
    expect(plain.status).toBe(200);
    expect(await plain.text()).toBe('{"status":"healthy","sources":{}}');
    const pretty = await fetch(`${url}/health?pretty`);
    expect(await pretty.text()).toBe('{\n  "status": "healthy",\n  "sources": {}\n}');
    expect((await fetch(`${url}/health`, { method: 'DELETE' })).status).toBe(405);
    const missing = await fetch(`${url}/healthz`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'no route for GET /healthz' });
  });
});
