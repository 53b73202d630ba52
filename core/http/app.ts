import { gzipSync } from 'node:zlib';
import Koa from 'koa';
import Router from '@koa/router';
import type { Redactor } from '../logging/redactor.js';
import type { Host } from '../runtime/host.js';
import type { Logger } from 'pino';

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

  // `/health` is polled (Home Assistant, monitors, the status page) and is large with many
  // sources: gzip'd when the client takes it, compressed again only when its text changed.
  let zipped: { text: string; gzip: Buffer } | null = null;
  router.get('/health', async (ctx) => {
    await host.freshen();
    json(ctx, 200, host.health());
    ctx.set('Vary', 'Accept-Encoding');
    if (!acceptsGzip(ctx.get('accept-encoding'))) return;
    const text = ctx.body as string;
    if (zipped?.text !== text) zipped = { text, gzip: gzipSync(text) };
    ctx.set('Content-Encoding', 'gzip');
    ctx.body = zipped.gzip;
  });
  // Names only the id asked for: a 404 must not list the others to whoever probes.
  const noSource = (ctx: Koa.Context) => json(ctx, 404, { error: `no source with id "${ctx.params.id}"` });
  router.get('/health/sources/:id', async (ctx) => {
    await host.freshen();
    const report = host.sourceReport(ctx.params.id!);
    if (!report) return noSource(ctx);
    json(ctx, 200, report);
  });
  router.get('/ready', (ctx) => {
    const ready = host.ready();
    const waiting = host.sourceIds.filter((id) => !host.runner(id)?.settled);
    json(ctx, ready ? 200 : 503, { ready, ...(ready ? {} : { waiting_for: waiting }) });
  });
  router.get('/api/sources/:id/latest', (ctx) => {
    const runner = host.runner(ctx.params.id!);
    if (!runner) return noSource(ctx);
    const h = runner.health();
    return json(ctx, 200, { source: ctx.params.id, status: h.status, last_successful_fetch: h.last_successful_fetch, ...(runner.latest() as object) });
  });
  if (deps.metrics) {
    const metrics = deps.metrics;
    router.get('/metrics', async (ctx) => {
      await host.freshen();
      ctx.type = metrics.contentType;
      ctx.body = deps.redactor.redact(await metrics.render());
    });
  }
  deps.extend?.(router);

  app.use(async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) json(ctx, 404, { error: `no route for ${ctx.method} ${ctx.path}` });
    } catch (err) {
      const e = err as { status?: number; expose?: boolean; message?: string };
      const status = e.status && e.status >= 400 && e.status < 600 ? e.status : 500;
      // The router's answer to a method no route has (TRACE, PROPFIND): the client's doing, not ours.
      if (status === 501) return json(ctx, 501, { error: `method ${ctx.method} not supported` });
      if (status >= 500) deps.logger.error({ err, path: ctx.path }, 'request failed');
      json(ctx, status, { error: e.expose ? deps.redactor.redact(String(e.message)) : 'internal error' });
    }
  });
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));
  return app;
}
