import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeExampleApi, type FakeExampleApi } from '../fakes/example-api.js';
import { exampleSourceYaml, startPageHost, type PageHost } from '../support/status-page-host.js';

const KEY = 'example-key-123';
let fake: FakeExampleApi;
let host: PageHost;

beforeAll(async () => {
  fake = await startFakeExampleApi(KEY);
  host = await startPageHost(exampleSourceYaml('hallway', KEY, fake.url));
});
afterAll(async () => {
  await host?.stop();
  await fake?.close();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${host.url}${path}`, { headers });

/**
 * A GET with exactly these headers, as a browser revalidating its copy sends it. (Node's fetch
 * adds `Cache-Control: no-cache` to any request with `If-None-Match`, which forbids a 304.)
 */
function revalidate(path: string, etag: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${host.url}${path}`, { headers: { 'if-none-match': etag } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.once('error', reject);
    req.end();
  });
}

/** Every asset the page loads: the HTML's script and stylesheet, and the modules they import. */
async function pageAssets(): Promise<string[]> {
  const html = await (await get('/')).text();
  const found = new Set([...html.matchAll(/(?:src|href)="(\/status\/[^"]+)"/g)].map((m) => m[1]!));
  const queue = [...found].filter((p) => p.endsWith('.js'));
  while (queue.length > 0) {
    const js = await (await get(queue.shift()!)).text();
    for (const [, name] of js.matchAll(/^import .* from '\.\/([a-z-]+\.js)';$/gm)) {
      const asset = `/status/${name}`;
      if (!found.has(asset)) queue.push(asset);
      found.add(asset);
    }
  }
  return [...found].sort();
}

describe('GET / (the status page)', () => {
  it('answers the page as HTML that a browser revalidates, with a strict CSP', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('etag')).toMatch(/^"[\w-]{27}"$/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expect(html).toContain('<script type="module" src="/status/app.js"></script>');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  });

  it('serves every script and stylesheet the page loads, with its content type, from the host only', async () => {
    const assets = await pageAssets();
    expect(assets).toContain('/status/app.css');
    expect(assets).toContain('/status/status-icon.js');
    expect(assets.length).toBeGreaterThanOrEqual(8);
    for (const asset of assets) {
      const res = await get(asset);
      expect(res.status, asset).toBe(200);
      expect(res.headers.get('content-type'), asset).toBe(asset.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8');
      expect(res.headers.get('cache-control'), asset).toBe('no-cache');
      // No CDN: the only absolute URL in the page's code is the SVG namespace.
      const body = await res.text();
      expect(body.match(/https?:\/\/[^\s'"]+/g)?.filter((u) => u !== 'http://www.w3.org/2000/svg') ?? [], asset).toEqual([]);
    }
  });

  it('answers 304 to a browser that holds the current version, and 200 to one that holds an older one', async () => {
    const first = await get('/status/app.js');
    const etag = first.headers.get('etag')!;
    expect(await revalidate('/status/app.js', etag)).toEqual({ status: 304, body: '' });
    const page = await revalidate('/', (await get('/')).headers.get('etag')!);
    expect(page.status).toBe(304);
    const stale = await revalidate('/status/app.js', '"an-older-version"');
    expect(stale).toEqual({ status: 200, body: await first.text() });
  });

  it('leaves the API as it was: JSON health next to the page, 404 JSON for an unknown asset', async () => {
    const health = await get('/health');
    expect(health.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(((await health.json()) as { sources: Record<string, unknown> }).sources).toHaveProperty('hallway');
    const missing = await get('/status/nothing.js');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'no route for GET /status/nothing.js' });
    const head = await fetch(`${host.url}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });
});
