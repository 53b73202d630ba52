import { gzipSync } from 'node:zlib';
import Koa from 'koa';
import Router from '@koa/router';
import type { Redactor } from '../logging/redactor.js';
import type { Host } from '../runtime/host.js';
import type { Logger } from 'pino';

/** A JSON text with its bytes and (made on first request) its gzip form. */
interface Encoded {
  text: string;
  plain: Buffer;
  gzip: Buffer | null;
}

/** Whether the client takes gzip (`Accept-Encoding: gzip`, not refused with `q=0`). */
function acceptsGzip(header: string | undefined): boolean {
  if (!header || !header.includes('gzip')) return false;
  return !/(?:^|,)\s*gzip\s*;\s*q=0(?:\.0*)?\s*(?:,|$)/i.test(header);
}

export interface AppDeps {
  host: Host;
  redactor: Redactor;
  logger: Logger;
  /** Prometheus text exposition, when metrics are enabled. */
  metrics?: { contentType: string; render(): Promise<string> };
  /** Extra routes (the status page), mounted last. */
  extend?: (router: Router) => void;
}

/**
 * Builds the HTTP API of CONTRACT §3. Never listens: `main` does, tests drive `app.callback()`.
 * Every answer is JSON except `/metrics` and the status page; bodies pass the redactor once more.
 */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  const router = new Router();
  const { host } = deps;

  const json = (ctx: Koa.Context, status: number, body: unknown) => {
    ctx.status = status;
    ctx.type = 'application/json; charset=utf-8';
    ctx.body = deps.redactor.redact(JSON.stringify(body, null, ctx.query.pretty !== undefined ? 2 : undefined));
  };

  // `/health` is polled (Home Assistant, monitors, the status page): its JSON is built once per
  // change by the host (already redacted), its bytes and gzip form once per JSON text here.
  let health: Encoded | null = null;
  const pretty = (ctx: Koa.Context) => /(?:^|&)pretty(?:[=&]|$)/.test(ctx.querystring);
  const sendCached = (ctx: Koa.Context, text: string, cache: Encoded | null, gzip: boolean): Encoded => {
    const e = cache && cache.text === text ? cache : { text, plain: Buffer.from(text), gzip: null };
    ctx.status = 200;
    ctx.type = 'application/json; charset=utf-8';
    if (!gzip) {
      ctx.body = e.plain;
      return e;
    }
    // No other part of the app sets Vary: set, not merged (koa's `vary` parses the header each time).
    ctx.set('Vary', 'Accept-Encoding');
    if (acceptsGzip(ctx.get('accept-encoding'))) {
      e.gzip ??= gzipSync(e.plain);
      ctx.set('Content-Encoding', 'gzip');
      ctx.body = e.gzip;
    } else {
      ctx.body = e.plain;
    }
    return e;
  };
  const sendHealth = (ctx: Koa.Context) => {
    health = sendCached(ctx, host.healthJson(), health, true);
  };
  router.get('/health', (ctx) => {
    if (pretty(ctx)) return json(ctx, 200, host.health());
    sendHealth(ctx);
  });
  router.get('/health/sources/:id', (ctx) => {
    const runner = host.runner(ctx.params.id!);
    if (!runner) return json(ctx, 404, { error: `no source with id "${ctx.params.id}"`, sources: host.sourceIds });
    if (pretty(ctx)) return json(ctx, 200, runner.health());
    // One source's object is small: sent as it is.
    sendCached(ctx, runner.healthJson(), null, false);
  });
  router.get('/ready', (ctx) => {
    const ready = host.ready();
    const waiting = host.sourceIds.filter((id) => !host.runner(id)?.settled);
    json(ctx, ready ? 200 : 503, { ready, ...(ready ? {} : { waiting_for: waiting }) });
  });
  router.get('/api/sources/:id/latest', (ctx) => {
    const runner = host.runner(ctx.params.id!);
    if (!runner) return json(ctx, 404, { error: `no source with id "${ctx.params.id}"`, sources: host.sourceIds });
    const h = runner.health();
    return json(ctx, 200, { source: ctx.params.id, status: h.status, last_successful_fetch: h.last_successful_fetch, ...(runner.latest() as object) });
  });
  if (deps.metrics) {
    const metrics = deps.metrics;
    router.get('/metrics', async (ctx) => {
      ctx.type = metrics.contentType;
      ctx.body = deps.redactor.redact(await metrics.render());
    });
  }
  deps.extend?.(router);

  // Plain `GET /health`, the one polled many times a second, comes first: no router (its matching,
  // per-request middleware chain and context fields) and no async error wrapper, ≈ 2.5 KB less
  // garbage per request (measured by the scavenger's figures under test/bench/health-api.ts's load).
  // Should it fail, the request goes on to the router's `/health` and the error handler below.
  app.use((ctx, next) => {
    if (ctx.path !== '/health' || ctx.querystring !== '' || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    try {
      sendHealth(ctx);
    } catch {
      return next();
    }
  });
  app.use(async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) json(ctx, 404, { error: `no route for ${ctx.method} ${ctx.path}` });
    } catch (err) {
      const e = err as { status?: number; expose?: boolean; message?: string };
      const status = e.status && e.status >= 400 && e.status < 600 ? e.status : 500;
      if (status >= 500) deps.logger.error({ err, path: ctx.path }, 'request failed');
      json(ctx, status, { error: e.expose ? deps.redactor.redact(String(e.message)) : 'internal error' });
    }
  });
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));
  return app;
}
