import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { entityRuleProblem } from '../../core/mqtt/ha-rules.js';
import { startFakeExampleApi, type FakeExampleApi } from '../fakes/example-api.js';
import { exampleSourceYaml } from '../support/readme-plugin.js';
import { HomeAssistantClient, startMqttHost, testTopics, until } from './support.js';

/** A drop-in plugin that declares its entities: a price now and next with a long forecast, a temperature per station. */
const DECLARED = `export default {
  id: 'declared', apiVersion: 1, title: 'Declared', max_data_age: '1h',
  entities: [
    { key: 'price_now', name: 'Price now', measurement: 'electricity_price', field: 'price_per_kwh', unit: '{currency}/kWh', state_class: 'measurement', forecast: true, suggested_display_precision: 3 },
    { key: 'price_next', name: 'Next price', measurement: 'electricity_price', field: 'price_per_kwh', pick: 'next', unit: '{currency}/kWh', state_class: 'measurement' },
    { key: 'cost', name: 'Cost', measurement: 'electricity_price', field: 'price_per_kwh', unit: '{money}', device_class: 'monetary', state_class: 'total' },
    { key: 'temp', name: 'Temperature', measurement: 'weather', field: 'temperature_c', device_class: 'temperature', unit: '°C', state_class: 'measurement', per_tag: 'station' },
  ],
  create() { return { fetch() {
    const q = 900000; const t0 = Math.floor(Date.now() / q) * q;
    const prices = Array.from({ length: 1500 }, (_, i) => ({ measurement: 'electricity_price', tags: { currency: 'EUR', money: 'euro' }, fields: { price_per_kwh: 0.1 + i / 10000 }, time: new Date(t0 + i * q) }));
    return [...prices, { measurement: 'weather', tags: { station: 'north' }, fields: { temperature_c: 21.5 }, time: new Date(Date.now() - 1000) }];
  } }; },
};
`;

describe('Home Assistant discovery through the built program and a real broker', () => {
  let api: FakeExampleApi;
  const url = inject('mqttUrl');
  beforeAll(async () => {
    api = await startFakeExampleApi();
    api.value = 42.5;
  });
  afterAll(() => api.close());

  it('announces every source as a device, with states, status, availability; re-publishes on birth, removes on reload, sweeps leftovers, and the last will says offline', async () => {
    const topics = testTopics();
    const { prefix, base } = topics;
    const ha = await HomeAssistantClient.connect(url, topics);
    // A config left by an earlier life of this host, for a source since renamed.
    const ghost = `${prefix}/sensor/homeiq_oldname_value/config`;
    await ha.publish(ghost, JSON.stringify({ name: 'x', state_topic: `${base}/oldname/value/state`, origin: { name: 'HomeIQ Sources' }, availability: [{ topic: `${base}/status` }], device: { identifiers: ['homeiq_oldname'] } }), true);
    const sources = [
      exampleSourceYaml('reading', api.key, api.url, '', { interval: '1h', sensor: true }),
      exampleSourceYaml('standby', '${HOMEIQ_TEST_NO_SUCH_KEY:-}', api.url, '', { interval: '1h', sensor: true }),
      exampleSourceYaml('refused', 'wrong-key-987', api.url, '', { interval: '1h', sensor: true }),
      '  declared:\n    plugin: ./declared.mjs\n    interval: 1h\n',
      exampleSourceYaml('paused', api.key, api.url, '    enabled: false\n', { interval: '1h', sensor: true }),
    ];
    const host = await startMqttHost(sources.join(''), `mqtt:\n  url: ${url}\n  discovery_prefix: ${prefix}\n  base_topic: ${base}\n`, { 'declared.mjs': DECLARED });
    try {
      // The undeclared plugin: one sensor per numeric field, with device, origin and both availabilities.
      const valueTopic = `${prefix}/sensor/homeiq_reading_example_reading_reading_value/config`;
      const config = await until('the reading config', () => ha.json(valueTopic));
      expect(config).toMatchObject({
        unique_id: 'homeiq_reading_example_reading_reading_value',
        default_entity_id: 'sensor.homeiq_reading_example_reading_reading_value',
        object_id: 'homeiq_reading_example_reading_reading_value',
        state_class: 'measurement',
        availability_mode: 'all',
        availability: [{ topic: `${base}/status` }, { topic: `${base}/reading/availability` }],
        device: { identifiers: ['homeiq_reading'], name: 'reading', manufacturer: 'HomeIQ', model: './example-sensor' },
        origin: { name: 'HomeIQ Sources' },
      });
      expect(await until('the reading state', () => ha.last(config.state_topic))).toBe('42.5');
      expect(ha.last(`${base}/status`)).toBe('online');
      expect(ha.last(`${base}/reading/availability`)).toBe('online');
      expect(ha.last(`${base}/reading/problem/state`)).toBe('OFF');
      expect(ha.json(`${prefix}/binary_sensor/homeiq_reading_problem/config`)).toMatchObject({ device_class: 'problem', availability: [{ topic: `${base}/status` }] });

      // Standby and refused sources: their status says so, their values are unavailable.
      expect(await until('standby status', () => ha.last(`${base}/standby/status/state`))).toBe('credentials_missing');
      expect(ha.last(`${base}/standby/availability`)).toBe('offline');
      expect(await until('refused status', () => ha.last(`${base}/refused/status/state`) === 'credentials_invalid')).toBe(true);
      expect(ha.last(`${base}/refused/availability`)).toBe('offline');
      expect(ha.last(`${base}/refused/problem/state`)).toBe('ON');
      expect(await until('paused status', () => ha.last(`${base}/paused/status/state`))).toBe('disabled');
      expect(ha.last(`${base}/paused/availability`)).toBe('offline');
      expect(ha.json(`${base}/refused/status/attributes`)).toMatchObject({ status: 'error', status_detail: 'credentials_invalid' });

      // Declared entities: unit from a tag, the next slot, one per station, the forecast bounded.
      const price = await until('price config', () => ha.json(`${prefix}/sensor/homeiq_declared_price_now/config`));
      expect(price).toMatchObject({ unit_of_measurement: 'EUR/kWh', state_class: 'measurement', suggested_display_precision: 3, expire_after: 3600 });
      expect(await until('price state', () => ha.last(`${base}/declared/price_now/state`))).toBe('0.1');
      expect(ha.last(`${base}/declared/price_next/state`)).toBe('0.1001');
      const attributes = ha.last(`${base}/declared/price_now/attributes`)!;
      expect(Buffer.byteLength(attributes)).toBeLessThan(16_384);
      const forecast = JSON.parse(attributes).forecast as [number, number][];
      expect(forecast.length).toBeGreaterThan(100);
      expect(forecast.length).toBeLessThan(1499);
      expect(forecast[0]![1]).toBe(0.1001);
      expect(ha.json(`${prefix}/sensor/homeiq_declared_temp_north/config`)).toMatchObject({ name: 'Temperature north', device_class: 'temperature', unit_of_measurement: '°C' });
      expect(ha.last(`${base}/declared/temp_north/state`)).toBe('21.5');
      // A unit that resolves to one Home Assistant would reject: left out, named in the log.
      expect(ha.last(`${prefix}/sensor/homeiq_declared_cost/config`)).toBeUndefined();
      expect(host.output()).toMatch(/mqtt: entity cost \(Cost\) not published: device class monetary needs an ISO 4217 currency code/);

      // Every config valid for Home Assistant; no secret anywhere.
      for (const m of ha.messages) {
        expect(m.payload).not.toContain(api.key);
        expect(m.payload).not.toContain('wrong-key-987');
        if (m.topic.endsWith('/config') && m.payload && m.topic.includes('/sensor/')) {
          const c = JSON.parse(m.payload);
          if (c.origin?.name === 'HomeIQ Sources' && c.device?.identifiers?.[0] !== 'homeiq_oldname') expect(entityRuleProblem({ unit: c.unit_of_measurement, device_class: c.device_class, state_class: c.state_class }), m.topic).toBeNull();
        }
      }
      // The renamed source's leftover is swept at start.
      await until('the leftover swept', () => ha.last(ghost) === '');

      const health = await host.health();
      expect(health.mqtt).toMatchObject({ status: 'healthy', connected: true, last_error: null });
      expect(health.mqtt.published).toBeGreaterThan(10);

      // Home Assistant's birth: the states again within the jittered delay.
      const before = ha.messages.length;
      await ha.publish(`${prefix}/status`, 'online');
      await until('states after birth', () => ha.messages.slice(before).some((m) => m.topic === `${base}/reading/status/state`), 10_000);

      // A source removed from the config loses its entities at once.
      host.rewrite([...sources.slice(0, 3), sources[4]].join(''));
      await until('declared removed', () => ha.last(`${prefix}/sensor/homeiq_declared_price_now/config`) === '');
      expect(ha.last(`${prefix}/binary_sensor/homeiq_declared_problem/config`)).toBe('');
      expect(ha.last(valueTopic)).not.toBe('');

      // kill -9: the broker publishes the last will.
      host.kill('SIGKILL');
      await host.exited;
      await until('last will', () => ha.last(`${base}/status`) === 'offline');
    } finally {
      host.kill('SIGKILL');
      await ha.end();
    }
  }, 90_000);
});
