import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LB_PER_MWH_TO_G_PER_KWH } from '../../core/planner/signal-points.js';
import { fakeValue } from '../fakes/watttime.js';
import { buildCli, type CliHost } from '../faults/cli-host.js';
import { DISHWASHER_PLANNER, HOUR, startPlannerHost, type PlannerHost } from '../support/planner-host.js';
import { runCli } from '../support/run-cli.js';

// The planner through the built program: WattTime's forecast and aWATTar's prices from fakes, the
// best window from the API and the CLI. Prices are cheap for two hours from five hours ahead; with
// the price weighted alone the plan is those two hours, and its carbon is the fake's forecast there.

let fakes: PlannerHost;
let host: CliHost;
let cheapFrom: number;

beforeAll(async () => {
  await buildCli();
  fakes = await startPlannerHost(DISHWASHER_PLANNER);
  ({ host, cheapFrom } = fakes);
}, 60_000);

afterAll(async () => {
  await fakes?.close();
});

/** The fake's forecast over [start, end), 5-minute points, in gCO2eq/kWh. */
function fakeCarbon(start: number, end: number): number {
  const values: number[] = [];
  for (let t = start; t < end; t += 300_000) values.push(fakeValue('CAISO_NORTH', 'co2_moer', t));
  return (values.reduce((a, b) => a + b, 0) / values.length) * LB_PER_MWH_TO_G_PER_KWH;
}

describe('the planner in the running host', () => {
  it('best-window answers the cheap hours with carbon, savings, coverage and the signals', async () => {
    const { status, body } = await host.get('/api/planner/best-window?duration=2h&deadline=12h&price_weight=1&carbon_weight=0&energy_kwh=1.2');
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect([body.start, body.end]).toEqual([new Date(cheapFrom).toISOString().replace('.000Z', 'Z'), new Date(cheapFrom + 2 * HOUR).toISOString().replace('.000Z', 'Z')]);
    expect(body.expected.price_per_kwh).toBe(0.02);
    expect(body.expected.currency).toBe('EUR');
    expect(body.expected.cost).toBe(0.02);
    expect(body.expected.carbon_intensity).toBeCloseTo(fakeCarbon(cheapFrom, cheapFrom + 2 * HOUR), 0);
    expect(body.now.price_per_kwh).toBe(0.2);
    expect(body.savings.price_pct).toBe(90);
    expect(body.coverage).toEqual({ carbon: 1, price: 1 });
    expect(body.signals.carbon).toMatchObject({ source: 'carbon', resolution: 'PT5M' });
    expect(body.signals.price).toMatchObject({ source: 'prices', resolution: 'PT60M', currency: 'EUR' });
  });

  it('a task answers the same plan; an unknown task is 404 and a bad parameter 400 naming it', async () => {
    const task = await host.get('/api/planner/tasks/dishwasher');
    expect(task.status).toBe(200);
    expect(task.body.task).toBe('dishwasher');
    expect(task.body.start).toBe(new Date(cheapFrom).toISOString().replace('.000Z', 'Z'));
    expect(task.body.expected.co2_g).toBe(Math.round(task.body.expected.carbon_intensity * 1.2));
    const unknown = await host.get('/api/planner/tasks/dryer');
    expect(unknown).toMatchObject({ status: 404, body: { error: 'no task named "dryer"' } });
    const bad = await host.get('/api/planner/best-window?duration=7m');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^duration: must be a multiple of 5 minutes/);
    expect((await host.get('/api/planner/best-window')).body.error).toMatch(/^duration: is required/);
    expect((await host.get('/api/planner/best-window?duration=1h&deadline=tomorrow')).body.error).toMatch(/^deadline: expected a clock time/);
    expect((await host.get('/api/planner/best-window?duration=1h&max_segments=99')).body.error).toMatch(/^max_segments: /);
    expect((await host.get('/api/planner/best-window?duration=1h&colour=red')).body.error).toMatch(/^colour: unknown parameter/);
  });

  it('homeiq plan prints the plan and the savings as a table', async () => {
    const result = await runCli(['plan', '--config', host.file, '--duration', '2h', '--deadline', '12h', '--energy', '1.2']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^Best window \((ok|partial)\): \S+Z → \S+Z$/);
    expect(lines.find((l) => l.startsWith('price (EUR/kWh)'))).toMatch(/^price \(EUR\/kWh\)\s+[\d.]+\s+0\.2\s+[\d.]+ %$/);
    expect(result.stdout).toContain('carbon intensity (gCO2eq/kWh)');
    expect(result.stdout).toMatch(/coverage: carbon 100 %, price 100 %/);
  });

  it('homeiq plan refuses bad flags with exit 2', async () => {
    const missing = await runCli(['plan', '--config', host.file]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--duration is required/);
    const bad = await runCli(['plan', '--config', host.file, '--duration', '2h', '--deadline', 'soonish']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--deadline: expected a clock time/);
    const unknown = await runCli(['plan', '--config', host.file, '--duration', '2h', '--colour', 'red']);
    expect(unknown.code).toBe(2);
  });
});
