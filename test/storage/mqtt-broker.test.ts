import mqtt from 'mqtt';
import { describe, expect, inject, it } from 'vitest';

describe('the shared Mosquitto (test/setup/servers.ts)', () => {
  it('delivers a retained message to a later subscriber on its open listener', async () => {
    const url = inject('mqttUrl');
    expect(new URL(url).hostname).toBe('127.0.0.1');
    const topic = `probe/${process.pid}/${Date.now()}`;
    const writer = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    await writer.publishAsync(topic, 'hello', { retain: true, qos: 1 });
    await writer.endAsync();
    const reader = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    const got = new Promise<string>((resolve) => reader.on('message', (t, payload) => t === topic && resolve(payload.toString())));
    await reader.subscribeAsync(topic, { qos: 1 });
    expect(await got).toBe('hello');
    await reader.endAsync();
  });

  it('refuses a wrong password and no login on its password listener, and accepts the right one', async () => {
    const url = inject('mqttAuthUrl');
    const login = inject('mqttLogin');
    await expect(mqtt.connectAsync(url, { username: login.username, password: 'wrong', reconnectPeriod: 0 })).rejects.toThrow(/Not authorized|Bad user/i);
    await expect(mqtt.connectAsync(url, { reconnectPeriod: 0 })).rejects.toThrow(/Not authorized/i);
    const ok = await mqtt.connectAsync(url, { ...login, reconnectPeriod: 0 });
    expect(ok.connected).toBe(true);
    await ok.endAsync();
  });
});
