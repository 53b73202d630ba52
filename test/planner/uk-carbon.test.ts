import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAwattar, type FakeAwattar } from '../fakes/awattar.js';
import { fakeIntensity, startFakeUkCarbon, type FakeUkCarbon } from '../fakes/uk-carbon-intensity.js';
import { buildCli, startCliHost, type CliHost } from '../faults/cli-host.js';
import { eventually } from '../support/eventually.js';
import { HOUR, prices } from '../support/planner-host.js';

// The planner on a home in Great Britain without any account: NESO's carbon intensity (grams
// already, no conversion) with aWATTar's prices, through the built program. The carbon plan is
// checked against every candidate start of the fake's forecast.

const STEP = 5 * 60_000;
let neso: FakeUkCarbon;
let awattar: FakeAwattar;
let host: CliHost;
const hour = Math.floor(Date.now() / HOUR) * HOUR;
const cheapFrom = hour + 5 * HOUR;

beforeAll(async () => {
  await buildCli();
  neso = await startFakeUkCarbon();
  awattar = await startFakeAwattar();
  awattar.setData(prices(hour, cheapFrom));
  host = await startCliHost(`  uk-carbon:
    plugin: uk-carbon-intensity
    interval: 1h
    options:
      base_url: ${neso.url}
  prices:
    plugin: awattar
    interval: 1h
    options:
      base_url: ${awattar.url}
planner:
  carbon: uk-carbon
  price: prices
  time_zone: Europe/London
`);
  await eventually('both signals planned on', async () => {
    const { body } = await host.get('/api/planner/best-window?duration=1h&deadline=12h');
    return body.status === 'ok';
  }, 30_000);
}, 90_000);

afterAll(async () => {
  await host?.stop();
  await neso?.close();
  await awattar?.close();
});

/** The cleanest hour by brute force over the fake's half-hour forecast: every 5-minute start in [from, to − 1 h]. */
function cleanestHour(from: number, to: number): { start: number; value: number } {
  let best = { start: 0, value: Infinity };
  for (let start = Math.ceil(from / STEP) * STEP; start + HOUR <= to; start += STEP) {
    let sum = 0;
    for (let t = start; t < start + HOUR; t += STEP) sum += fakeIntensity(0, t);
    const value = sum / (HOUR / STEP);
    if (value < best.value) best = { start, value };
  }
  return best;
}

describe('the planner with uk-carbon-intensity and awattar', () => {
  it('plans on carbon alone: the cleanest hour of NESO’s forecast, in gCO2eq/kWh as NESO gives it', async () => {
    const { status, body } = await host.get('/api/planner/best-window?duration=1h&deadline=12h&carbon_weight=1&price_weight=0');
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', coverage: { carbon: 1, price: 1 } });
    expect(body.signals.carbon).toMatchObject({ source: 'uk-carbon', resolution: 'PT30M' });
    const oracle = cleanestHour(Date.parse(body.range.start), Date.parse(body.range.end));
    expect(body.start).toBe(new Date(oracle.start).toISOString().replace('.000Z', 'Z'));
    expect(Math.abs(body.expected.carbon_intensity - oracle.value)).toBeLessThanOrEqual(0.05 + 1e-9); // rounded to 0.1
    expect(body.expected.price_per_kwh).toBeGreaterThan(0);
  });

  it('plans on price alone: the cheap hours, with the carbon intensity of that window', async () => {
    const { body } = await host.get('/api/planner/best-window?duration=2h&deadline=12h&carbon_weight=0&price_weight=1');
    expect(body.start).toBe(new Date(cheapFrom).toISOString().replace('.000Z', 'Z'));
    expect(body.savings.price_pct).toBe(90);
    let sum = 0;
    for (let t = cheapFrom; t < cheapFrom + 2 * HOUR; t += STEP) sum += fakeIntensity(0, t);
    expect(Math.abs(body.expected.carbon_intensity - sum / ((2 * HOUR) / STEP))).toBeLessThanOrEqual(0.05 + 1e-9); // rounded to 0.1
  });
});
