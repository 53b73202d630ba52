import { execFileSync, spawn } from 'node:child_process';
import { request } from 'node:http';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeExampleApi, type FakeExampleApi } from '../fakes/example-api.js';
import { startFakeIcs, type FakeIcs } from '../fakes/ics.js';
import { dropInExamplePlugin, exampleSourceYaml } from '../support/readme-plugin.js';
import { builtProgram, freePort, runCli, spawnCli } from '../support/run-cli.js';
import { localStorageYaml, tempConfig } from '../support/temp-config.js';
import { buildCli, startCliHost, type CliHost } from './cli-host.js';

// Hostile inputs met by the program as it ships (dist/homeiq.mjs under plain node, as `npm start`
// runs it): feeds, secret files and clients that broke it once.
let fake: FakeIcs | undefined;
let running: CliHost | undefined;
let api: FakeExampleApi | undefined;

beforeAll(buildCli);
afterEach(async () => {
  await running?.stop();
  running = undefined;
  await fake?.close();
  await api?.close();
  fake = undefined;
  api = undefined;
});

const DAY = 86_400_000;
const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Three one-off events going on now: with a TZID (Tokyo has no daylight saving: 10:00 there is
 * 01:00Z), all-day, and in UTC. Bundled as strict code, node-ical 0.26 threw on each of them.
 */
const ONE_OFF_FEED = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//hostile-inputs//EN',
  'BEGIN:VEVENT',
  `DTSTART;TZID=Asia/Tokyo:${ymd(today - DAY)}T100000`,
  `DTEND;TZID=Asia/Tokyo:${ymd(today + 2 * DAY)}T100000`,
  'DTSTAMP:20200101T000000Z',
  'UID:tokyo@example.com',
  'SUMMARY:Trip',
  'END:VEVENT',
  'BEGIN:VEVENT',
  `DTSTART;VALUE=DATE:${ymd(today - DAY)}`,
  `DTEND;VALUE=DATE:${ymd(today + 2 * DAY)}`,
  'DTSTAMP:20200101T000000Z',
  'UID:days@example.com',
  'SUMMARY:Holidays',
  'END:VEVENT',
  'BEGIN:VEVENT',
  `DTSTART:${ymd(today - DAY)}T120000Z`,
  `DTEND:${ymd(today + DAY)}T120000Z`,
  'DTSTAMP:20200101T000000Z',
  'UID:utc@example.com',
  'SUMMARY:Visit',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

const EXPECTED = [
  { event_id: 'days@example.com', summary: 'Holidays', start: iso(today - DAY), end: iso(today + 2 * DAY), all_day: true },
  { event_id: 'tokyo@example.com', summary: 'Trip', start: iso(today - DAY + 3_600_000), end: iso(today + 2 * DAY + 3_600_000), all_day: false },
  { event_id: 'utc@example.com', summary: 'Visit', start: iso(today - DAY + 12 * 3_600_000), end: iso(today + DAY + 12 * 3_600_000), all_day: false },
];

async function oneOffFeed(): Promise<string> {
  fake = await startFakeIcs();
  fake.setFeed('/one-off.ics', ONE_OFF_FEED);
  return `  cal:\n    plugin: ics\n    interval: 1h\n    options:\n      url: ${fake.url}/one-off.ics\n      time_zone: UTC\n      retries: 0\n`;
}

describe('an ICS feed of one-off events, through the built program', () => {
  it('homeiq once prints a point for each, at its start and with its end', async () => {
    const cfg = tempConfig('');
    cfg.write(`${localStorageYaml(cfg.dir)}sources:\n${await oneOffFeed()}`);
    const r = await runCli(['once', '--config', cfg.file]);
    expect(r.stderr).toContain('# cal: 3 point(s)');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').sort();
    expect(lines).toHaveLength(3);
    EXPECTED.forEach((e, i) => {
      expect(lines[i]).toContain(`event_id=${e.event_id},`);
      expect(lines[i]).toContain(`end="${e.end}"`);
      expect(lines[i]).toContain(`all_day=${e.all_day ? 'T' : 'F'}`);
      expect(lines[i]).toMatch(new RegExp(` ${Date.parse(e.start)}000000$`));
    });
  }, 30_000);

  it('the running host reports them going on now in /latest, with no item error', async () => {
    running = await startCliHost(await oneOffFeed());
    let latest: { current?: { event_id: string }[] } = {};
    const deadline = Date.now() + 20_000;
    while ((latest.current?.length ?? 0) < 3 && Date.now() < deadline) {
      latest = (await running.get('/api/sources/cal/latest')).body;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(latest.current, running.output()).toEqual(EXPECTED.map((e) => ({ ...e, calendar: 'cal', location: null, status: 'confirmed' })));
    const health = (await running.get('/health/sources/cal')).body;
    expect(health, JSON.stringify(health)).toMatchObject({ status: 'healthy', points_last_run: 3, item_errors: [] });
  }, 40_000);
});

const KEY = 'example-key-123';

/** `homeiq start` with `env`; resolves with its exit code and output, or kills it after 10 s. */
async function startExpectingExit(file: string, env: Record<string, string>): Promise<{ code: number | null; output: string; ms: number }> {
  const t0 = Date.now();
  const child = spawnCli(['start', '--config', file], env);
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(killer);
  return { code, output: child.output(), ms: Date.now() - t0 };
}

describe('VAR_FILE naming something that is not a small regular file', () => {
  it('refuses the start with exit 2, naming the variable and the file, at once and without filling memory', async () => {
    api = await startFakeExampleApi(KEY);
    const cfg = tempConfig('');
    dropInExamplePlugin(cfg.dir);
    cfg.write(`${localStorageYaml(cfg.dir)}sources:\n${exampleSourceYaml('sensor', '${EXAMPLE_KEY}', api.url)}`);
    const fifo = path.join(cfg.dir, 'key.fifo');
    execFileSync('mkfifo', [fifo]);
    const big = path.join(cfg.dir, 'key.big');
    writeFileSync(big, 'k'.repeat(1024 * 1024));
    const folder = path.join(cfg.dir, 'key.d');
    mkdirSync(folder);
    const cases = [
      [fifo, 'not a regular file: a FIFO'],
      [big, 'larger than 64 KiB'],
      [folder, 'not a regular file: a directory'],
      ['/dev/zero', 'not a regular file: a character device'],
    ];
    for (const [file, why] of cases) {
      const r = await startExpectingExit(cfg.file, { EXAMPLE_KEY_FILE: file! });
      expect(r.code, r.output).toBe(2);
      expect(r.output).toContain(`sources.sensor.credentials.api_key: cannot read EXAMPLE_KEY_FILE ${file} (${why})`);
      expect(r.ms).toBeLessThan(8000);
    }
    expect(api.requests).toHaveLength(0);
  }, 60_000);

  it('on a reload, refuses the new config and keeps the running one serving', async () => {
    api = await startFakeExampleApi(KEY);
    const dir = tempConfig('').dir;
    const keyFile = path.join(dir, 'key');
    writeFileSync(keyFile, `${KEY}\n`);
    const source = (interval: string) => exampleSourceYaml('sensor', '${EXAMPLE_KEY}', api!.url, '', { interval, sensor: true });
    running = await startCliHost(source('1s'), {}, { env: { EXAMPLE_KEY_FILE: keyFile } });
    const host = running;
    const calls = async (n: number) => {
      const deadline = Date.now() + 15_000;
      while (api!.requests.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(api!.requests.length, host.output()).toBeGreaterThanOrEqual(n);
    };
    await calls(1);
    // The secret file becomes a FIFO nobody writes to, then the config changes.
    rmSync(keyFile);
    execFileSync('mkfifo', [keyFile]);
    writeFileSync(host.file, readFileSync(host.file, 'utf8').replace('interval: 1s', 'interval: 2s'));
    const deadline = Date.now() + 15_000;
    while (!host.logs().some((l) => l.msg?.startsWith('config reload refused')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const refused = host.logs().find((l) => l.msg?.startsWith('config reload refused'));
    expect(refused?.problems, host.output()).toContain(`cannot read EXAMPLE_KEY_FILE ${keyFile} (not a regular file: a FIFO)`);
    const health = await host.get('/health');
    expect(health.status).toBe(200);
    expect(health.ms).toBeLessThan(2000);
    const before = api.requests.length;
    await calls(before + 2);
    expect(api.requests.every((r) => r.key === KEY)).toBe(true);
  }, 60_000);
});

/** The lines the local store holds so far. */
function storedLines(dir: string): number {
  const points = path.join(dir, 'points');
  if (!existsSync(points)) return 0;
  return readdirSync(points)
    .filter((f) => f.endsWith('.lp'))
    .reduce((n, f) => n + readFileSync(path.join(points, f), 'utf8').split('\n').filter(Boolean).length, 0);
}

describe('a flood of idle connections', () => {
  it('cannot take the descriptors the core needs: the source goes on writing and /health answers again within seconds', async () => {
    api = await startFakeExampleApi(KEY);
    const port = await freePort();
    const cfg = tempConfig('');
    dropInExamplePlugin(cfg.dir);
    cfg.write(`server:\n  host: 127.0.0.1\n  port: ${port}\n${localStorageYaml(cfg.dir)}  flush_interval: 1s\nsources:\n${exampleSourceYaml('sensor', KEY, api.url, '', { interval: '1s', sensor: true })}`);
    // A container's usual limit of open files (`ulimit -n 1024`); the flood is twice that.
    const child = spawn('sh', ['-c', 'ulimit -n 1024 && exec "$0" "$@"', process.execPath, builtProgram(), 'start', '--config', cfg.file], { env: { PATH: process.env.PATH ?? '' } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const health = () => fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status, () => 0);
    const sockets: Socket[] = [];
    try {
      const deadline = Date.now() + 20_000;
      while ((await health()) !== 200 || storedLines(cfg.dir) === 0) {
        expect(Date.now() < deadline, output).toBe(true);
        await new Promise((r) => setTimeout(r, 100));
      }
      for (let i = 0; i < 2000; i++) sockets.push(connect(port, '127.0.0.1').on('error', () => undefined));
      await new Promise((r) => setTimeout(r, 2000));
      const before = storedLines(cfg.dir);
      let answered = 0;
      const until = Date.now() + 20_000;
      while (answered === 0 && Date.now() < until) {
        if ((await health()) === 200) answered = Date.now();
        else await new Promise((r) => setTimeout(r, 250));
      }
      expect(answered, output).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 3000));
      expect(storedLines(cfg.dir), output).toBeGreaterThan(before);
      expect(output).not.toContain('EMFILE');
    } finally {
      for (const s of sockets) s.destroy();
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
  }, 90_000);
});

/** One request with any method (fetch refuses TRACE); resolves with the status and the body. */
function send(url: string, method: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('probing requests', () => {
  it('TRACE and PROPFIND get 405 or 501 without an error in the log; a 404 names only the id asked for', async () => {
    api = await startFakeExampleApi(KEY);
    running = await startCliHost(exampleSourceYaml('secret-garage', KEY, api.url) + exampleSourceYaml('hallway', KEY, api.url));
    for (const [method, pathname] of [['TRACE', '/health'], ['TRACE', '/'], ['PROPFIND', '/'], ['PROPFIND', '/health/sources/hallway']]) {
      const r = await send(`${running.url}${pathname}`, method!);
      expect([405, 501], `${method} ${pathname}: ${r.status} ${r.body}`).toContain(r.status);
    }
    for (const pathname of ['/health/sources/nope', '/api/sources/nope/latest']) {
      const r = await running.get(pathname);
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ error: 'no source with id "nope"' });
    }
    expect((await running.get('/health')).status).toBe(200);
    const errors = running.logs().filter((l) => l.level >= 50);
    expect(errors, running.output()).toEqual([]);
  }, 30_000);
});
