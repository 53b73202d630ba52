import { describe, expect, inject, it } from 'vitest';

describe('the shared test servers (test/setup/servers.ts)', () => {
  it('InfluxDB 1.x answers on its loopback port', async () => {
    const url = inject('influxV1Url');
    expect(new URL(url).hostname).toBe('127.0.0.1');
    const ping = await fetch(`${url}/ping`);
    expect(ping.status).toBe(204);
    expect(ping.headers.get('x-influxdb-version')).toMatch(/^1\./);
  });

  it('VictoriaMetrics answers on its loopback port and takes the v2 write API', async () => {
    const url = inject('victoriaUrl');
    expect(new URL(url).hostname).toBe('127.0.0.1');
    expect(await (await fetch(`${url}/health`)).text()).toBe('OK');
    expect(await (await fetch(`${url}/metrics`)).text()).toContain('vm_app_version');
    const write = await fetch(`${url}/api/v2/write?org=o&bucket=b`, { method: 'POST', body: 'probe,source=setup v=1' });
    expect(write.status).toBe(204);
  });
});
