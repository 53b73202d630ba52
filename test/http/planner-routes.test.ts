// The planner's routes through the app's router: no planner configured, the parameters' 400s,
// `no_data` before any forecast arrived.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlannerConfig } from '../../core/config/types.js';
import { createApp } from '../../core/http/app.js';
import { plannerRoutes } from '../../core/http/planner-routes.js';
import { Redactor } from '../../core/logging/redactor.js';
import { PlannerService } from '../../core/planner/planner-service.js';
import type { Host } from '../../core/runtime/host.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function serve(config: PlannerConfig | undefined): Promise<string> {
  const logger = pino({ level: 'silent' });
  const planner = new PlannerService(config, () => [], logger);
  const app = createApp({ host: { sourceIds: [] } as unknown as Host, redactor: new Redactor(), logger, extend: plannerRoutes(planner) });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const get = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

const CARBON_ONLY: PlannerConfig = { carbon: 'carbon', time_zone: 'UTC', tasks: {} };

describe('planner routes', () => {
  it('without a planner section both routes answer 404 saying so', async () => {
    const url = await serve(undefined);
    for (const path of ['/api/planner/best-window?duration=2h', '/api/planner/tasks/dishwasher']) {
      const { status, body } = await get(url + path);
      expect(status).toBe(404);
      expect(body.error).toMatch(/^no planner configured: add a planner section/);
    }
  });

  it('answers 400 naming the parameter', async () => {
    const url = await serve(CARBON_ONLY);
    const cases: Array<[string, RegExp]> = [
      ['duration=0m', /^duration: expected a duration like "2h"/],
      ['duration=2h&duration=3h', /^duration: given more than once/],
      ['duration=2h&energy_kwh=-1', /^energy_kwh: expected a number above 0, got "-1"/],
      ['duration=2h&contiguous=maybe', /^contiguous: expected true or false/],
      ['duration=2h&price_weight=1', /^price_weight: the planner has no price source/],
      ['duration=2h&carbon_weight=0', /^carbon_weight: at least one weight must be above 0/],
      ['duration=2h&not_before=later', /^not_before: expected a clock time/],
      ['duration=2h&deadline=2020-01-01T00:00:00Z', /^deadline: 2020-01-01T00:00:00.000Z is in the past/],
    ];
    for (const [query, error] of cases) {
      const { status, body } = await get(`${url}/api/planner/best-window?${query}`);
      expect([query, status]).toEqual([query, 400]);
      expect(body.error).toMatch(error);
    }
  });

  it('before any forecast arrived: 200 with no_data, null times and why', async () => {
    const url = await serve(CARBON_ONLY);
    const { status, body } = await get(`${url}/api/planner/best-window?duration=2h`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'no_data', start: null, end: null, segments: [], message: 'no carbon data yet' });
  });
});

describe('the status page’s planner routes (extensions)', () => {
  it('/api/planner says whether a planner is configured, always 200', async () => {
    expect(await get(`${await serve(undefined)}/api/planner`)).toEqual({ status: 200, body: { enabled: false } });
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    const url = await serve({ ...CARBON_ONLY, tasks: { dishwasher: { name: 'dishwasher', duration_ms: 7_200_000, weights: { carbon: 1, price: 0 }, contiguous: true, max_segments: 3 } } });
    expect(await get(`${url}/api/planner`)).toEqual({ status: 200, body: { enabled: true, time_zone: 'UTC', signals: ['carbon'], tasks: ['dishwasher'] } });
  });

  it('/api/planner/signals: 404 without a planner, 400 naming a bad parameter, the units before any data', async () => {
    const none = await get(`${await serve(undefined)}/api/planner/signals`);
    expect(none.status).toBe(404);
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    const url = await serve(CARBON_ONLY);
    for (const [query, error] of [
      ['hours=0', /^hours: expected a whole number of hours from 1 to 168, got "0"/],
      ['hours=1.5', /^hours: expected a whole number/],
      ['hours=2&hours=3', /^hours: expected a whole number/],
      ['colour=red', /^colour: unknown parameter \(expected: hours\)/],
    ] as const) {
      const { status, body } = await get(`${url}/api/planner/signals?${query}`);
      expect([query, status]).toEqual([query, 400]);
      expect(body.error).toMatch(error);
    }
    const { status, body } = await get(`${url}/api/planner/signals?hours=24`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ time_zone: 'UTC', signals: { carbon: { source: 'carbon', unit: 'gCO2eq/kWh', newest: null, slots: [] } } });
    expect(Date.parse(body.to as string) - Date.parse(body.from as string)).toBe(24 * 3_600_000);
  });
});
