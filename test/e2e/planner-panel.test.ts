import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../faults/cli-host.js';
import { launchChromium, openStatusPage } from '../support/chromium.js';
import { DISHWASHER_PLANNER, WATTTIME_USER, startPlannerHost, type PlannerHost } from '../support/planner-host.js';

// The status page's planner panel in Chromium, against the built program with the fake WattTime and
// aWATTar: the chart of the next 48 hours, each task's window shaded, and its savings in words.

/** With two more tasks: one whose deadline comes before its duration can pass, one beyond the prices. */
const PLANNER = `${DISHWASHER_PLANNER}    kettle:
      duration: 3h
      deadline: 2h
    heater:
      duration: 1h
      deadline: 60h
`;

let browser: Browser;
let running: PlannerHost | undefined;

beforeAll(async () => {
  await buildCli();
  browser = await launchChromium();
}, 15 * 60_000);
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const openPage = (url: string) => openStatusPage(browser, url);

/** The start as the planner's clock shows it, with "tomorrow" when it is the next day there. */
function berlinStart(iso: string): string {
  const clock = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(Date.parse(iso));
  const day = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', dateStyle: 'short' });
  return day.format(Date.parse(iso)) === day.format(Date.now()) ? `at ${clock}` : `tomorrow at ${clock}`;
}

describe('the planner panel of the status page', () => {
  it('draws carbon and price, shades each planned window and says what it saves', async () => {
    running = await startPlannerHost(PLANNER);
    const { host, cheapFrom } = running;
    const plan = (await host.get('/api/planner/tasks/dishwasher')).body;
    expect(plan.start).toBe(new Date(cheapFrom).toISOString().replace('.000Z', 'Z'));
    const { page, problems } = await openPage(host.url);
    const sentence = page.locator('#planner li[data-task="dishwasher"]');
    await sentence.waitFor({ timeout: 10_000 });

    const co2 = plan.savings.carbon_intensity_pct as number;
    const co2Words = Math.round(Math.abs(co2)) === 0 ? 'about the same CO₂' : `${Math.round(Math.abs(co2))} % ${co2 > 0 ? 'less' : 'more'} CO₂`;
    expect(await sentence.innerText()).toBe(`dishwasher: starting ${berlinStart(plan.start)} instead of now: ${co2Words}, 90 % cheaper.`);
    // A deadline before the duration can pass: no plan, and why, in a plain sentence.
    expect(await page.locator('#planner li[data-task="kettle"]').innerText()).toMatch(/^kettle: no plan yet: the range from .+ is shorter than the duration\.$/);
    // Prices end two days ahead: a 60-hour range is only partly covered.
    expect(await page.locator('#planner li[data-task="heater"]').innerText()).toMatch(/The forecasts do not cover the whole range yet \(.*price \d+ %.*\): the plan may change when they arrive\.$/);

    // The chart: both signals as lines with their units, the dishwasher's window shaded and named.
    const chart = page.locator('#planner svg.planner-chart');
    expect(await chart.locator('path[data-signal="carbon"]').getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+H[\d.]+(L[\d.]+,[\d.]+H[\d.]+)+/);
    expect(await chart.locator('path[data-signal="price"]').getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+H[\d.]+(L[\d.]+,[\d.]+H[\d.]+)+/);
    expect(await chart.locator('text.unit').allTextContents()).toEqual(['gCO2eq/kWh', 'EUR/kWh']);
    const window = chart.locator('rect.plan-window[data-task="dishwasher"]');
    expect(await window.count()).toBe(1);
    // 2 of the 48 hours drawn, starting about 5 hours in (the plot is 596 of the 720 units wide).
    expect(Number(await window.getAttribute('width'))).toBeCloseTo((596 * 2) / 48, 0);
    const startsAt = (Number(await window.getAttribute('x')) - 58) / 596;
    expect(startsAt * 48).toBeGreaterThan(4);
    expect(startsAt * 48).toBeLessThanOrEqual(5);
    expect(await chart.locator('text.plan-label').allTextContents()).toContain('dishwasher');
    expect(await chart.getAttribute('aria-label')).toMatch(/^Next 48 hours: carbon intensity from [\d.,]+ to [\d.,]+ gCO2eq\/kWh; price from 0\.02 to 0\.2 EUR\/kWh; dishwasher planned /);
    await expect(page.locator('#planner .legend').innerText()).resolves.toMatch(/Carbon intensity \(gCO2eq\/kWh, left scale, from carbon\)\s+Price \(EUR\/kWh, right scale, from prices\)\s+Planned window/);

    // On a phone the chart shrinks with the page: nothing wider than the screen.
    await page.setViewportSize({ width: 375, height: 740 });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.locator('#planner').screenshot({ path: path.join(tmpdir(), `homeiq-planner-panel-${process.pid}.png`) });
    // No secret reaches the page or the API it reads.
    expect(await page.content()).not.toContain(WATTTIME_USER.WATTTIME_PASSWORD);
    const signals = await fetch(`${host.url}/api/planner/signals`).then((r) => r.text());
    expect(signals).not.toContain(WATTTIME_USER.WATTTIME_PASSWORD);
    expect(problems).toEqual([]);
  });

  it('is absent when the config has no planner', async () => {
    running = await startPlannerHost('');
    const { host } = running;
    expect((await host.get('/api/planner')).body).toEqual({ enabled: false });
    const { page, problems } = await openPage(host.url);
    // The page has asked: the sources' cards are drawn after the first answer of /health.
    await page.locator('article[data-source="prices"]').waitFor();
    await page.waitForTimeout(500);
    expect(await page.locator('#planner').isHidden()).toBe(true);
    expect(await page.locator('#planner svg').count()).toBe(0);
    expect(problems).toEqual([]);
  });
});
