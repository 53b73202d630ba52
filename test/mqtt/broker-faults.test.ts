import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeExampleApi, type FakeExampleApi } from '../fakes/example-api.js';
import { exampleSourceYaml } from '../support/readme-plugin.js';
import { MosquittoServer } from '../support/mosquitto-server.js';
import { freePort } from '../support/run-cli.js';
import { HomeAssistantClient, sleep, startMqttHost, testTopics, until } from './support.js';

describe('a broker that is down, restarts or refuses the login never stops the host', () => {
  let api: FakeExampleApi;
  beforeAll(async () => {
    api = await startFakeExampleApi();
  });
  afterAll(() => api.close());

  it('keeps running while the broker is stopped, shows it in /health, and publishes everything again after its restart', async () => {
    const broker = await MosquittoServer.start();
    const topics = testTopics();
    const host = await startMqttHost(
      exampleSourceYaml('reading', api.key, api.url, '', { interval: '1s', sensor: true }),
      `mqtt:\n  url: ${broker.url}\n  discovery_prefix: ${topics.prefix}\n  base_topic: ${topics.base}\n`,
    );
    try {
      await until('connected', async () => (await host.health()).mqtt?.connected === true);
      await broker.stop();
      const down = await until('disconnected', async () => {
        const h = await host.health();
        return h.mqtt.connected === false ? h : undefined;
      });
      expect(['degraded', 'error']).toContain(down.mqtt.status);
      const runsBefore = api.requests.length;
      await sleep(2500);
      // Runs go on at their pace (one a second) while the broker is away.
      expect(api.requests.length - runsBefore).toBeGreaterThanOrEqual(1);
      const metrics = await (await fetch(`${host.url}/metrics`)).text();
      expect(metrics).toMatch(/homeiq_mqtt_connected 0/);
      // The restarted broker lost its retained messages (no persistence): the host publishes them again.
      await broker.start();
      const ha = await HomeAssistantClient.connect(broker.url, topics);
      try {
        await until('config again', () => ha.json(`${topics.prefix}/sensor/homeiq_reading_status/config`), 40_000);
        expect(ha.last(`${topics.base}/status`)).toBe('online');
        const h = await host.health();
        expect(h.mqtt).toMatchObject({ status: 'healthy', connected: true });
        expect(h.sources.reading.status).toBe('healthy');
        // A graceful stop says `offline` itself.
        host.kill('SIGTERM');
        expect(await host.exited).toBe(0);
        await until('offline on SIGTERM', () => ha.last(`${topics.base}/status`) === 'offline');
      } finally {
        await ha.end();
      }
    } finally {
      host.kill('SIGKILL');
      await host.exited;
      await broker.destroy();
    }
  }, 120_000);

  it('a wrong password: a clear error in /health, the sources run, no secret anywhere', async () => {
    const topics = testTopics();
    const login = inject('mqttLogin');
    const password = 'not-the-password-5150';
    const host = await startMqttHost(
      exampleSourceYaml('reading', api.key, api.url, '', { interval: '1h', sensor: true }),
      `mqtt:\n  url: ${inject('mqttAuthUrl')}\n  username: ${login.username}\n  password: ${password}\n  discovery_prefix: ${topics.prefix}\n  base_topic: ${topics.base}\n`,
    );
    try {
      const h = await until('the refusal', async () => {
        const h = await host.health();
        return h.mqtt?.last_error ? h : undefined;
      });
      expect(h.mqtt).toMatchObject({ status: 'error', connected: false });
      expect(h.mqtt.last_error.message).toMatch(/refused the login.*mqtt\.username and mqtt\.password/);
      await until('the source ran', async () => (await host.health()).sources.reading.status_detail === 'operational');
      const everything = JSON.stringify(await host.health()) + (await (await fetch(`${host.url}/metrics`)).text()) + host.output();
      expect(everything).not.toContain(password);
    } finally {
      host.kill('SIGTERM');
      await host.exited;
    }
  }, 60_000);

  it('starts and runs its sources with no broker listening at all', async () => {
    const topics = testTopics();
    const host = await startMqttHost(
      exampleSourceYaml('reading', api.key, api.url, '', { interval: '1h', sensor: true }),
      `mqtt:\n  url: mqtt://127.0.0.1:${await freePort()}\n  discovery_prefix: ${topics.prefix}\n  base_topic: ${topics.base}\n`,
    );
    try {
      await until('the source ran', async () => (await host.health()).sources.reading.status_detail === 'operational');
      const h = await until('the connection error', async () => {
        const h = await host.health();
        return h.mqtt?.last_error ? h : undefined;
      });
      expect(h.mqtt).toMatchObject({ connected: false, published: 0 });
      expect(h.mqtt.last_error.message).toMatch(/mqtt connection to mqtt:\/\/127\.0\.0\.1:\d+ failed: connect ECONNREFUSED/);
      expect(h.status).toBe('healthy');
    } finally {
      host.kill('SIGTERM');
      await host.exited;
    }
  }, 60_000);
});
