import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's browser binary; playwright-core drives it, and never downloads a browser of its own. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Without a colour emoji font the status icons render as empty boxes in the screenshot. */
const EMOJI_FONT = '/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf';

/** Flags for a quiet headless browser on a CI box: no sandbox (root), no GPU, no calls home. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function run(command: string, args: string[], log: (line: string) => void): Promise<void> {
  const root = process.getuid?.() === 0;
  const [cmd, argv] = root ? [command, args] : ['sudo', ['-E', command, ...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    let tail = '';
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-2000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    // apt-get is quiet for minutes while it downloads; one line every 20 s shows it is alive.
    const started = Date.now();
    const alive = setInterval(() => log(`chromium: ${command} ${args[0]} still running (${Math.round((Date.now() - started) / 1000)} s)`), 20_000);
    child.once('error', (err) => {
      clearInterval(alive);
      reject(new Error(`chromium: cannot run ${command}: ${err.message}`, { cause: err }));
    });
    child.once('close', (code) => {
      clearInterval(alive);
      if (code === 0) resolve();
      else reject(new Error(`chromium: ${command} ${args.join(' ')} failed (exit ${code}):\n${tail}`));
    });
  });
}

/**
 * Installs Debian's `chromium` (and the colour emoji font) with apt-get when missing, printing
 * progress lines. A fresh machine needs several minutes for it once: call it from a hook with a
 * long timeout.
 */
export async function ensureChromium(log: (line: string) => void = (line) => console.log(line)): Promise<void> {
  const packages = [
    ...(existsSync(CHROMIUM_PATH) ? [] : ['chromium']),
    ...(existsSync(EMOJI_FONT) ? [] : ['fonts-noto-color-emoji']),
  ];
  if (packages.length === 0) return;
  log(`chromium: installing ${packages.join(', ')} with apt-get (this takes a few minutes once)`);
  await run('apt-get', ['update'], log);
  // Waits for another apt-get holding the dpkg lock (a parallel test file) instead of failing.
  await run('apt-get', ['install', '-y', '-o', 'DPkg::Lock::Timeout=600', ...packages], log);
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`chromium: apt-get finished but ${CHROMIUM_PATH} is still missing`);
  log(`chromium: installed ${packages.join(', ')}`);
}

/** Installs Chromium when needed and launches it headless. */
export async function launchChromium(): Promise<Browser> {
  await ensureChromium();
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], headless: true });
}

/**
 * Opens the status page at `url` (refreshing every 0.25 s) once its first source card is there,
 * recording what the browser's console would show as a problem (errors, warnings, page errors).
 */
export async function openStatusPage(browser: Browser, url: string, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport, colorScheme: 'light', locale: 'en-GB' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(`${url}/?refresh=0.25`);
  await page.locator('#sources article').first().waitFor();
  return { page, problems };
}
