import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { planEntities } from '../../core/mqtt/planner-entities.js';
import type { PlanAnswer } from '../../core/planner/plan-answer.js';
import { startFakeAwattar, type FakeAwattar, type MarketEntry } from '../fakes/awattar.js';
import { startFakeWattTime, type FakeWattTime } from '../fakes/watttime.js';
import { HomeAssistantClient, startMqttHost, testTopics, until } from './support.js';

// The planner's tasks in Home Assistant, through the built program: a task is a device whose
// `next_start` is the plan's start (a timestamp an automation triggers on), with its end, whether it
// runs now and what it saves. Prices are cheap for two hours from five hours ahead.

const HOUR = 3_600_000;
const PASSWORD = 'Pl4n-over-MQTT!';
const hour = Math.floor(Date.now() / HOUR) * HOUR;
const cheapFrom = hour + 5 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function prices(): MarketEntry[] {
  return Array.from({ length: 72 }, (_, i) => {
    const start = hour - 24 * HOUR + i * HOUR;
    const cheap = start >= cheapFrom && start < cheapFrom + 2 * HOUR;
    return { start_timestamp: start, end_timestamp: start + HOUR, marketprice: cheap ? 20 : 200, unit: 'Eur/MWh' };
  });
}

const sources = (watttime: string, awattar: string, tasks: string) => `  carbon:
    plugin: watttime
    interval: 1h
    credentials:
      username: planner-mqtt
      password: ${PASSWORD}
    options:
      region: CAISO_NORTH
      base_url: ${watttime}
      series: [forecast]
  prices:
    plugin: awattar
    interval: 1h
    options:
      base_url: ${awattar}
planner:
  carbon: carbon
  price: prices
  time_zone: Europe/Berlin
  tasks:
${tasks}`;

const DISHWASHER = `    dishwasher:
      duration: 2h
      deadline: 12h
      energy_kwh: 1.2
      weights: {carbon: 0, price: 1}
`;

describe('planned tasks in Home Assistant (built program, real broker)', () => {
  let watttime: FakeWattTime;
  let awattar: FakeAwattar;
  let ha: HomeAssistantClient;
  let host: Awaited<ReturnType<typeof startMqttHost>>;
  const { prefix, base } = testTopics();

  beforeAll(async () => {
    watttime = await startFakeWattTime();
    watttime.addUser('planner-mqtt', PASSWORD);
    awattar = await startFakeAwattar();
    awattar.setData(prices());
    const url = inject('mqttUrl');
    ha = await HomeAssistantClient.connect(url, { prefix, base });
    host = await startMqttHost(sources(watttime.url, awattar.url, DISHWASHER), `mqtt:\n  url: ${url}\n  discovery_prefix: ${prefix}\n  base_topic: ${base}\n`);
  }, 60_000);

  afterAll(async () => {
    host?.kill('SIGTERM');
    await host?.exited;
    await ha?.end();
    await watttime?.close();
    await awattar?.close();
  });

  it('a task is a device: next start and end as timestamps, running now, and the expected savings', async () => {
    const state = (key: string) => ha.last(`${base}/planner_dishwasher/${key}/state`);
    await until('the plan over MQTT', () => state('next_start') === iso(cheapFrom), 40_000);
    const plan = (await (await fetch(`${host.url}/api/planner/tasks/dishwasher`)).json()) as { start: string; end: string };
    expect(state('next_start')).toBe(plan.start);
    expect(state('end')).toBe(iso(cheapFrom + 2 * HOUR));
    expect(state('running_now')).toBe('OFF');
    expect(state('price_savings')).toBe('90');

    const start = ha.json(`${prefix}/sensor/homeiq_planner_dishwasher_next_start/config`)!;
    expect(start).toMatchObject({ device_class: 'timestamp', unique_id: 'homeiq_planner_dishwasher_next_start', device: { identifiers: ['homeiq_planner_dishwasher'], model: 'planner' } });
    expect(start.availability).toEqual([{ topic: `${base}/status` }, { topic: `${base}/planner_dishwasher/availability` }]);
    expect(ha.json(`${prefix}/binary_sensor/homeiq_planner_dishwasher_running_now/config`)).toMatchObject({ device_class: 'running', payload_on: 'ON', payload_off: 'OFF' });
    expect(ha.json(`${prefix}/sensor/homeiq_planner_dishwasher_price_savings/config`)).toMatchObject({ unit_of_measurement: '%', state_class: 'measurement' });
    expect(ha.json(`${base}/planner_dishwasher/next_start/attributes`)).toMatchObject({ status: 'ok', segments: [{ start: iso(cheapFrom), end: iso(cheapFrom + 2 * HOUR) }] });
    expect(ha.json(`${base}/planner_dishwasher/price_savings/attributes`)).toMatchObject({ currency: 'EUR', price_now: 0.2, price_planned: 0.02 });
    expect(ha.messages.some((m) => m.payload.includes(PASSWORD))).toBe(false);
  }, 60_000);

  it('a task removed from the config loses its device at once', async () => {
    host.rewrite(sources(watttime.url, awattar.url, `    dryer:\n      duration: 1h\n      deadline: 12h\n`));
    const config = `${prefix}/sensor/homeiq_planner_dishwasher_next_start/config`;
    await until('the removed task cleared', () => ha.last(config) === '', 15_000);
    expect(ha.last(`${prefix}/binary_sensor/homeiq_planner_dishwasher_running_now/config`)).toBe('');
    await until('the new task published', () => ha.json(`${prefix}/sensor/homeiq_planner_dryer_next_start/config`), 15_000);
  }, 40_000);
});

describe('planEntities', () => {
  const plan = (segments: Array<[number, number]>, savings: Partial<PlanAnswer['savings']> = {}): PlanAnswer =>
    ({
      status: 'ok',
      start: segments.length ? iso(segments[0]![0]) : null,
      end: segments.length ? iso(segments.at(-1)![1]) : null,
      segments: segments.map(([s, e]) => ({ start: iso(s), end: iso(e) })),
      savings: { carbon_intensity_pct: 45, price_pct: 41, co2_g: 100, cost: 0.3, ...savings },
      now: { carbon_intensity: 400, carbon_unit: 'gCO2eq/kWh', price_per_kwh: 0.3, currency: 'EUR', co2_g: null, cost: null },
      expected: { carbon_intensity: 220, carbon_unit: 'gCO2eq/kWh', price_per_kwh: 0.18, currency: 'EUR', co2_g: null, cost: null },
      coverage: { carbon: 1, price: 1 },
      signals: {},
      range: null,
      generated_at: iso(hour),
    }) as PlanAnswer;
  const states = (p: PlanAnswer, now: number) => Object.fromEntries(planEntities(p, now).map((e) => [e.key, e.state]));

  it('is running inside a piece of the plan and not between pieces', () => {
    const p = plan([[hour, hour + HOUR], [hour + 2 * HOUR, hour + 3 * HOUR]]);
    expect(states(p, hour + 10 * 60_000).running_now).toBe('ON');
    expect(states(p, hour + HOUR + 60_000).running_now).toBe('OFF');
    expect(states(p, hour + 2 * HOUR).running_now).toBe('ON');
    expect(states(p, hour + 3 * HOUR).running_now).toBe('OFF');
  });

  it('says unknown, not zero, when there is no plan or no saving to tell', () => {
    const p = { ...plan([], { carbon_intensity_pct: null, price_pct: null }), status: 'no_data' as const };
    expect(states(p, hour)).toEqual({ next_start: 'None', end: 'None', running_now: 'OFF', carbon_savings: 'None', price_savings: 'None' });
  });
});
