import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SourceHealth } from '../../core/runtime/source-state.js';
import { startFakeExampleApi, type FakeExampleApi } from '../fakes/example-api.js';
import { launchChromium } from '../support/chromium.js';
import { exampleSourceYaml, startPageHost, type PageHost } from '../support/status-page-host.js';
import { eventually } from '../support/storage-fixture.js';

/**
 * The screenshot the README shows is rewritten only on request (HOMEIQ_UPDATE_SCREENSHOT=1), so that
 * a test run leaves the work tree clean; otherwise it goes to the temporary folder.
 */
const SCREENSHOT = process.env.HOMEIQ_UPDATE_SCREENSHOT
  ? fileURLToPath(new URL('./status-page.png', import.meta.url))
  : path.join(tmpdir(), `homeiq-status-page-${process.pid}.png`);
const KEY = 'example-key-123';

let browser: Browser;
let fake: FakeExampleApi;
let host: PageHost;

// A fresh machine installs Debian's chromium here first: several minutes, once.
beforeAll(async () => {
  browser = await launchChromium();
}, 15 * 60_000);
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await host?.stop();
  await fake?.close();
});

/** The four states of the issue: healthy, standby, refused credentials, paused. */
async function startFourSources(): Promise<void> {
  fake = await startFakeExampleApi(KEY);
  host = await startPageHost(
    exampleSourceYaml('hallway', KEY, fake.url) +
      exampleSourceYaml('garage', '${GARAGE_KEY}', fake.url) +
      exampleSourceYaml('attic', 'not-the-key', fake.url) +
      exampleSourceYaml('porch', KEY, fake.url, '    enabled: false\n'),
  );
  await eventually('every source settled', () => host.running.host.ready());
}

/** Opens the page and records what would show up in the browser's console as a problem. */
async function openPage(width = 1280, height = 900): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme: 'light', locale: 'en-GB' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  await page.goto(`${host.url}/?refresh=0.25`);
  await page.locator('#sources article').first().waitFor();
  return { page, problems };
}

const card = (page: Page, id: string) => page.locator(`article[data-source="${id}"]`);

/** The icon (with its accessible name) and the words a user sees on a source's card. */
async function shownState(page: Page, id: string): Promise<{ icon: string; label: string | null; text: string }> {
  const icon = card(page, id).locator('.status [role="img"]');
  return {
    icon: (await icon.textContent()) ?? '',
    label: await icon.getAttribute('aria-label'),
    text: (await card(page, id).locator('.status-text').innerText()).trim(),
  };
}

function health(id: string): SourceHealth {
  return host.running.host.health().sources[id]!;
}

describe('the status page in Chromium', () => {
  it('shows each source with its icon, words, next step, last fetch, chart and details', async () => {
    await startFourSources();
    const { page, problems } = await openPage();
    expect(await shownState(page, 'hallway')).toEqual({ icon: '✅', label: 'Healthy', text: 'Healthy' });
    expect(await shownState(page, 'garage')).toEqual({ icon: '🔑', label: 'Credentials Needed', text: 'Credentials Needed' });
    expect(await shownState(page, 'attic')).toEqual({ icon: '🔑', label: 'Credentials Rejected', text: 'Credentials Rejected' });
    expect(await shownState(page, 'porch')).toEqual({ icon: '⏸️', label: 'Paused', text: 'Paused' });
    expect(await page.locator('#sources article').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-source')))).toEqual([
      'hallway', 'garage', 'attic', 'porch',
    ]);

    // The next step in words, as the host words it.
    await expect(card(page, 'garage').locator('.hint').innerText()).resolves.toBe('Set EXAMPLE_API_KEY; the source starts by itself');
    expect(health('garage').hint).toBe('Set EXAMPLE_API_KEY; the source starts by itself');
    const refused = health('attic').last_error!;
    expect(refused).toMatchObject({ http_status: 401, message: expect.stringContaining('refused the credentials') });
    await expect(card(page, 'attic').locator('.problem').innerText()).resolves.toBe(`Last error: ${refused.message}`);

    // Last successful fetch, relative, with the exact time behind it.
    const fetched = card(page, 'hallway').locator('time').first();
    expect(await fetched.getAttribute('datetime')).toBe(health('hallway').last_successful_fetch);
    expect(await fetched.innerText()).toMatch(/^(just now|\d+ s ago)$/);
    await expect(card(page, 'garage').locator('.times').innerText()).resolves.toContain('never');

    // The chart grows with each new reading, collected by the page while it is open.
    const minute = Math.ceil(Date.now() / 60_000) * 60_000;
    for (const [i, value] of [40, 44.5, 41, 47.25].entries()) {
      fake.readingTime = new Date(minute + (i + 1) * 60_000);
      fake.value = value;
      await host.running.host.runner('hallway')!.run();
      await card(page, 'hallway').locator(`svg[data-samples="${i + 2}"]`).waitFor({ timeout: 5000 });
    }
    const chart = card(page, 'hallway').locator('svg.sparkline');
    expect(await chart.getAttribute('aria-label')).toBe('example_reading value: 5 values from 40 to 47.25, latest 47.25');
    expect((await chart.locator('polyline').getAttribute('points'))!.split(' ')).toHaveLength(5);
    await expect(card(page, 'hallway').locator('figcaption').innerText()).resolves.toBe('example_reading value (sensor=living_room) · latest 47.25');
    await expect(card(page, 'garage').locator('figcaption').innerText()).resolves.toBe('No values yet');

    // The storage block.
    const storage = page.locator('#storage');
    await expect(storage.innerText()).resolves.toMatch(/Spooled points\s+0/);
    await expect(storage.innerText()).resolves.toMatch(/Dropped points\s+0/);
    await expect(page.locator('#summary').innerText()).resolves.toContain('Error');

    // The detail view: last error, token fields, next run.
    await card(page, 'attic').locator('summary').click();
    const details = await card(page, 'attic').locator('.more-body').innerText();
    expect(details).toContain(`Last error\n${refused.message} · `);
    expect(details).toMatch(/Token refreshes\s+0/);
    expect(details).toMatch(/Token expires\s+no token held/);
    expect(details).toMatch(/Consecutive failures\s+1/);
    await card(page, 'hallway').locator('summary').click();
    expect(await card(page, 'hallway').locator('.more-body').innerText()).toMatch(/Next run\s+in 5\d min · /);

    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(problems).toEqual([]);
  });

  it('turns a source to ⚠️ Degraded without a reload when its upstream starts failing', async () => {
    await startFourSources();
    const { page, problems } = await openPage();
    await card(page, 'hallway').locator('summary').click();
    await page.evaluate(() => Object.assign(globalThis, { loadedOnce: true }));
    expect(await shownState(page, 'hallway')).toEqual({ icon: '✅', label: 'Healthy', text: 'Healthy' });

    fake.failAlways(503);
    const outcome = await host.running.host.runner('hallway')!.run();
    expect(outcome.ok).toBe(false);
    await card(page, 'hallway').locator('.status [role="img"][aria-label="Degraded"]').waitFor({ timeout: 5000 });

    expect(await shownState(page, 'hallway')).toEqual({ icon: '⚠️', label: 'Degraded', text: 'Degraded' });
    expect(await page.evaluate(() => (globalThis as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
    expect(await card(page, 'hallway').locator('details').getAttribute('open')).toBe('');
    const failure = health('hallway').last_error!;
    expect(failure.http_status).toBe(503);
    const shown = await card(page, 'hallway').locator('.problem').innerText();
    expect(shown).toBe(`Last error: ${failure.message}${failure.message.includes('503') ? '' : ' (HTTP 503)'}`);
    expect(shown).toContain('503');
    await expect(page.locator('#announce').innerText()).resolves.toBe('hallway: Degraded');
    expect(problems).toEqual([]);
  });

  it('greys the last error of a source that recovered, saying it came before the last success', async () => {
    await startFourSources();
    const { page, problems } = await openPage();
    const problem = card(page, 'hallway').locator('.problem');
    fake.failAlways(503);
    await host.running.host.runner('hallway')!.run();
    await card(page, 'hallway').locator('.status [role="img"][aria-label="Degraded"]').waitFor({ timeout: 5000 });
    expect(await problem.getAttribute('class')).toBe('problem');
    const failure = health('hallway').last_error!;

    fake.failAlways(undefined);
    expect((await host.running.host.runner('hallway')!.run()).ok).toBe(true);
    await card(page, 'hallway').locator('.problem.past').waitFor({ timeout: 5000 });
    expect(await shownState(page, 'hallway')).toEqual({ icon: '✅', label: 'Healthy', text: 'Healthy' });
    expect(health('hallway').last_error).toEqual(failure);
    expect(await problem.innerText()).toMatch(/^Last error (just now|\d+ s ago), before the last success: .*503/);
    expect(await problem.locator('time').getAttribute('datetime')).toBe(failure.at);
    // Greyed: the muted colour of the subtitle, not the warning or error colour.
    // The test's TypeScript has no DOM types: the browser-side code goes in as text.
    const colour = (selector: string) => page.evaluate(`getComputedStyle(document.querySelector('#source-hallway ${selector}')).color`);
    expect(await colour('.problem')).toBe(await colour('.subtitle'));
    await card(page, 'hallway').locator('summary').click();
    expect(await card(page, 'hallway').locator('.more-body').innerText()).toMatch(/Last error\s+.*503.* · (just now|\d+ s ago) · before the last success/);
    expect(problems).toEqual([]);
  });

  it('fits a phone screen and says when the host cannot be reached', async () => {
    await startFourSources();
    const { page, problems } = await openPage(375, 740);
    // The test's TypeScript has no DOM types: the browser-side code goes in as text.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    const rights = (await page.evaluate('[...document.querySelectorAll("article")].map((a) => a.getBoundingClientRect().right)')) as number[];
    expect(rights).toHaveLength(5);
    for (const right of rights) expect(right).toBeLessThanOrEqual(375);

    await host.stop();
    const banner = page.locator('#connection');
    await banner.waitFor({ state: 'visible', timeout: 5000 });
    expect(await banner.innerText()).toMatch(/^Cannot reach the host \(.+\); this is the state from .+\. Trying again every 0\.25 s\.$/);
    // The last state stays on the page.
    expect((await shownState(page, 'hallway')).text).toBe('Healthy');
    expect(problems.filter((p) => !p.startsWith('request failed') && !p.includes('Failed to load resource'))).toEqual([]);
  });
});
