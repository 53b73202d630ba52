import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, exampleSource, pluginModule, sleep, startCliHost, type CliHost } from './cli-host.js';

// The host run as `npm start` runs it, writing to a "store" behind a proxy that echoes the request's
// Authorization header (decoded, in the encodings a server or proxy writes it) in its 401 body, and
// reading an upstream that echoes the source's key in 500 bodies long enough to be cut. No secret,
// nor any derived form, nor a prefix a cut left, may reach /health, /metrics, the status page or the log.

const b64 = (s: string) => Buffer.from(s).toString('base64');
const form = (s: string) => new URLSearchParams([['', s]]).toString().slice(1);
const json = (s: string) => JSON.stringify(s).slice(1, -1);

/** A secret as it may show: raw, URL- and form-encoded, base64 (with and without padding), and JSON-escaped once and twice. */
function derivedForms(secret: string): string[] {
  const encoded = [secret, encodeURIComponent(secret), form(secret), b64(secret), b64(secret).replace(/=+$/, '')];
  return [...new Set(encoded.flatMap((s) => [s, json(s), json(json(s))]))];
}

/** What the proxy says about a refused request: the credentials of its Authorization header, every way. */
function echo(authorization: string): string {
  const pair = Buffer.from(authorization.replace(/^Basic /, ''), 'base64').toString('utf8');
  const pass = pair.slice(pair.indexOf(':') + 1);
  return `refused authorization: ${authorization}; user info: ${encodeURIComponent(pair)}; form: ${form(pair)}; ` +
    `query: password=${encodeURIComponent(pass)}&db=homeiq; json: {"password":"${json(pass)}"}; password base64: ${b64(pass)}; `;
}

interface EchoServer {
  url: string;
  writes: number;
  close(): Promise<void>;
}

/**
 * `POST /write` (the store): 401 with the echo, repeated past any length a message is cut to.
 * `GET /echo/reading`: 500 with the presented key repeated (17 characters a time: a cut at any
 * length lands inside a key). `GET /good/reading`: a reading, so there are points to write.
 */
async function startEchoServer(): Promise<EchoServer> {
  const state = { writes: 0 };
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://echo');
      if (url.pathname === '/write') {
        state.writes += 1;
        res.writeHead(401, { 'content-type': 'text/plain' });
        return res.end(echo(String(req.headers.authorization ?? '')).repeat(60));
      }
      if (url.pathname === '/echo/reading') {
        res.writeHead(500, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ message: `${req.headers['x-api-key']} `.repeat(3000) }));
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ readings: [{ time: new Date().toISOString(), value: 1 }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get writes() {
      return state.writes;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** InfluxDB 1.x behind the echoing proxy, with the credentials in the URL as the README shows. */
const influxWithUserInfo = (url: string, user: string, password: string) => (dir: string) =>
  `storage:\n  influxdb:\n    url: '${url.replace('//', `//${user}:${encodeURIComponent(password)}@`)}'\n    api: v1\n    database: homeiq\n` +
  `  flush_interval: 200ms\n  spool_dir: ${path.join(dir, 'spool')}\n`;

/** Everything a user or a monitor can read: /health (whole and per source), /metrics, the status page and what it loads, the log. */
async function everythingShown(host: CliHost, sources: string[]): Promise<string> {
  const paths = ['/health', '/health?pretty', '/metrics', '/', '/status/app.js', ...sources.flatMap((id) => [`/health/sources/${id}`, `/api/sources/${id}/latest`])];
  const texts = await Promise.all(paths.map(async (p) => `${p}: ${await (await fetch(`${host.url}${p}`)).text()}`));
  return `${texts.join('\n')}\n${host.output()}`;
}

/** Fails naming every form of `secret` found in `text`, and every prefix of `prefix` characters of one (what a cut leaves). */
function expectNoForm(text: string, secret: string, prefix = 6): void {
  const found = derivedForms(secret).flatMap((f) => [f, ...(prefix ? [f.slice(0, prefix)] : [])].filter((s) => text.includes(s)));
  expect(found, `forms of ${JSON.stringify(secret)} shown`).toEqual([]);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function until(host: CliHost, done: (health: any) => boolean): Promise<any> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(200)) {
    const { body } = await host.get('/health');
    if (done(body)) return body;
  }
  throw new Error(`not reached in 20 s:\n${host.output()}`);
}

let echoServer: EchoServer;
let host: CliHost | undefined;
beforeAll(buildCli, 120_000);
afterEach(async () => {
  await host?.stop();
  host = undefined;
  await echoServer?.close();
});

describe('secrets echoed back by a store, a proxy or an upstream', () => {
  const PASSWORD = 's3cr@t "pa/ss" +1&x\\y';
  const KEY = 'Kq7ZxW2mLp9Rt4Vb';
  const FEED = 'https://calendar.example/ical/private-ENTSOETOKEN7x/basic.ics';

  it('are redacted in every form before any message is cut, and every message is bounded', async () => {
    echoServer = await startEchoServer();
    // A plugin whose error names its write-only feed address, 20 MB of it.
    const leaky = pluginModule(
      'leaky',
      `async fetch() { throw new Error("cannot read " + (options.feed + " ").repeat(Math.ceil(20e6 / options.feed.length))); }`,
    ).replace('create() {', 'options: { type: "object", properties: { feed: { type: "string", writeOnly: true } } }, create({ options }) {');
    const sources =
      exampleSource('good', 'good-key-5d8e2f1a', `${echoServer.url}/good`) +
      exampleSource('echo', KEY, `${echoServer.url}/echo`, '2s') +
      `  leaky:\n    plugin: ./leaky.mjs\n    interval: 2s\n    options:\n      feed: ${FEED}\n`;
    host = await startCliHost(sources, { 'leaky.mjs': leaky }, { storage: influxWithUserInfo(echoServer.url, 'reader', PASSWORD) });
    const health = await until(host, (h) => h.storage.last_error?.http_status === 401 && h.sources.echo.last_error && h.sources.leaky.last_error);

    // Each failure is still reported, with the secrets replaced, and at most 1,000 characters long.
    expect(health.storage.last_error.message).toMatch(/^InfluxDB at http:\/\/127\.0\.0\.1:\d+ answered 401: refused authorization: Basic \[REDACTED\]; /);
    expect(health.sources.echo.last_error.message).toMatch(/^Example Sensor answered 500 Internal Server Error for GET \/echo\/reading: \[REDACTED\] \[REDACTED\] /);
    expect(health.sources.leaky.last_error.message).toMatch(/^cannot read \[REDACTED\] \[REDACTED\] /);
    for (const e of [health.storage.last_error, health.sources.echo.last_error, health.sources.leaky.last_error]) {
      expect(e.message.length).toBeLessThanOrEqual(1000);
      expect(e.message.endsWith('…'), e.message).toBe(true);
    }
    const shown = await everythingShown(host, ['good', 'echo', 'leaky']);
    // A 20 MB error makes no 20 MB report nor log.
    expect(shown.length).toBeLessThan(1_000_000);
    expectNoForm(shown, PASSWORD);
    // (The pair's prefix is the username, which is no secret.)
    expectNoForm(shown, `reader:${PASSWORD}`, 0);
    expectNoForm(shown, KEY);
    expectNoForm(shown, FEED, 0);
    expectNoForm(shown, new URL(FEED).pathname, 0);
    expect(shown).not.toContain('ENTSOE');
  }, 90_000);

  it('hides a password shorter than 4 characters where it stands as a value, and nowhere else', async () => {
    echoServer = await startEchoServer();
    const sources = exampleSource('good', 'good-key-5d8e2f1a', `${echoServer.url}/good`);
    host = await startCliHost(sources, {}, { storage: influxWithUserInfo(echoServer.url, 'reader', 'q7') });
    const health = await until(host, (h) => h.storage.last_error?.http_status === 401);
    const message: string = health.storage.last_error.message;
    expect(message).toContain('query: password=[REDACTED]&db=homeiq; json: {"password":"[REDACTED]"}; password base64: [REDACTED];');
    const shown = await everythingShown(host, ['good']);
    expectNoForm(shown, 'reader:q7', 0);
    for (const context of ['=q7', ':q7', '%3Aq7', '"q7"', '\\"q7\\"', b64('q7')]) expect(shown).not.toContain(context);
    // (The storage's own scrub may have put *** for the username first.)
    expect(message).toMatch(/refused authorization: Basic \[REDACTED\]; user info: (\*\*\*%3A)?\[REDACTED\]; form: (\*\*\*%3A)?\[REDACTED\];/);
    // Only whole values: every log line is still JSON (numbers after a key are never touched).
    expect(host.logs().length).toBe(host.output().trim().split('\n').length);
  }, 60_000);
});
