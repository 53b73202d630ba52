import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type Router from '@koa/router';
import type Koa from 'koa';
import { packagePath } from '../paths.js';

/** The page's static files: plain HTML, CSS and browser modules, served as they are (no build step). */
const FOLDER = packagePath('core/http/status-page');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml; charset=utf-8',
};

/**
 * Headers of every page response. `no-cache` lets the browser keep a copy but ask each time; the
 * ETag makes that ask a cheap 304, and a new host version is picked up at the next load.
 * The CSP allows only the host's own scripts, styles and JSON: no CDN, no inline script.
 */
const STATUS_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-cache',
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** One file of the page, read once at start. */
interface StatusAsset {
  /** The URL path it answers, e.g. `/status/app.js`. */
  path: string;
  body: Buffer;
  contentType: string;
  etag: string;
}

/** Reads the page's files: `index.html` answers `/`, every other file `/status/<name>`. */
function loadStatusAssets(folder = FOLDER): StatusAsset[] {
  return readdirSync(folder)
    .filter((name) => CONTENT_TYPES[path.extname(name)] !== undefined)
    .sort()
    .map((name) => {
      const body = readFileSync(path.join(folder, name));
      return {
        path: name === 'index.html' ? '/' : `/status/${name}`,
        body,
        contentType: CONTENT_TYPES[path.extname(name)]!,
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      };
    });
}

function serve(asset: StatusAsset): Koa.Middleware {
  return (ctx) => {
    ctx.status = 200;
    ctx.set(STATUS_PAGE_HEADERS);
    ctx.etag = asset.etag;
    ctx.type = asset.contentType;
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.body = asset.body;
  };
}

/**
 * Mounts the status page (CONTRACT §5) on the host's router: `GET /` and its assets under
 * `/status/`. The files are read once, here; a missing folder throws at start, not at the
 * first visit. The page itself reads `/health` and `/api/sources/:id/latest`.
 */
export function statusPageRoutes(router: Router): void {
  for (const asset of loadStatusAssets()) router.get(asset.path, serve(asset));
}
