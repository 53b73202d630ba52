// Issue 22, item 3 as a user sees it: the status page of a host that shares the sources shows the
// shared scheduler's state, every host with its heartbeat (a stopped one as stopped), and on each
// source's details the host that ran it last. Two hosts on the suite's Redis, in Chromium.
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeExampleApi, type FakeExampleApi } from '../fakes/example-api.js';
import { launchChromium, openStatusPage } from '../support/chromium.js';
import { eventually } from '../support/eventually.js';
import { exampleSourceYaml, startPageHost, type PageHost } from '../support/status-page-host.js';
import { localStorageYaml } from '../support/temp-config.js';

const KEY = 'example-key-123';
/** The README's picture, rewritten only on request (HOMEIQ_UPDATE_SCREENSHOT=1), as status-page.test.ts does. */
const SCREENSHOT = process.env.HOMEIQ_UPDATE_SCREENSHOT
  ? fileURLToPath(new URL('./shared-hosts.png', import.meta.url))
  : path.join(tmpdir(), `homeiq-shared-hosts-${process.pid}.png`);
let browser: Browser;
let fake: FakeExampleApi;
const hosts: PageHost[] = [];

beforeAll(async () => {
  browser = await launchChromium();
}, 15 * 60_000);
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
  await fake?.close();
});

/** Three sources every 2 s, shared by the hosts started with this prefix. */
async function startHosts(ids: string[]): Promise<void> {
  fake = await startFakeExampleApi(KEY);
  const prefix = `page-${randomUUID().slice(0, 8)}`;
  const sources = ['hallway', 'garage', 'attic'].map((id) => exampleSourceYaml(id, KEY, fake.url, '', { interval: '2s' })).join('');
  for (const id of ids) {
    const storage = (dir: string) => `${localStorageYaml(dir)}scheduler:\n  type: redis\n  url: ${inject('redisUrl')}\n  prefix: ${prefix}\n  host_id: ${id}\n`;
    hosts.push(await startPageHost(sources, { storage }));
  }
}

const openPage = (url: string) => openStatusPage(browser, url, { width: 1280, height: 1000 });

/** The Hosts table as rows of cell texts. */
const hostRows = (page: Page) => page.locator('#hosts tbody tr').evaluateAll((rows) => rows.map((r) => [...r.children].slice(0, 2).map((c) => ((c as { innerText?: string }).innerText ?? "").trim())));

describe('the status page of hosts sharing the sources', () => {
  it('shows the shared scheduler, every host, who ran each source, and a stopped host as stopped', async () => {
    await startHosts(['alpha', 'beta']);
    // Both hosts have run something (the ticks every 2 s go to whichever host takes them first).
    await eventually('both hosts ran sources', async () => {
      await hosts[0]!.running.host.freshen();
      const report = hosts[0]!.running.host.health();
      return (report.hosts ?? []).every((x) => x.runs > 0) && Object.values(report.sources).every((s) => s.status === 'healthy');
    }, 30_000);
    const { page, problems } = await openPage(hosts[0]!.url);
    await expect(page.locator('#scheduler').innerText()).resolves.toMatch(/^✅ Shared scheduler \(this is host alpha\): connected · 2 hosts up · 3 sources scheduled$/);
    await expect.poll(() => hostRows(page), { timeout: 5000 }).toEqual([
      ['alpha', '✅ Up'],
      ['beta', '✅ Up'],
    ]);
    // Each source's details name the host of its last run, its tick and its lag.
    const details = page.locator('article[data-source="hallway"] details');
    await details.locator('summary').click();
    await expect(details.locator('dl.detail').innerText()).resolves.toMatch(/Last run on host\s+(alpha|beta) · tick .+ · started [\d.]+ s after it/);
    await page.locator('#hosts').scrollIntoViewIfNeeded();
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // beta stops cleanly: alpha's page shows it stopped, and alpha runs every source alone.
    await hosts.pop()!.stop();
    await expect.poll(() => hostRows(page), { timeout: 10_000 }).toEqual([
      ['alpha', '✅ Up'],
      ['beta', '⏸️ Stopped'],
    ]);
    await expect(page.locator('#scheduler').innerText()).resolves.toContain('1 host up');
    expect(problems).toEqual([]);
  }, 90_000);
});
