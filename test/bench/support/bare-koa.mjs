// The baseline of the benchmarks: a bare Koa server answering one JSON route, `GET /health`,
// plain JavaScript run by plain node (no build step, nothing of the host's).
// Usage: node test/bench/support/bare-koa.mjs PORT [BODY_FILE]
// With BODY_FILE, the route answers that JSON document (or, for a .gz file, those gzip bytes: the
// host's /health of the same run, so that both sides send the same bytes); without, a small
// `{"status":"healthy"}`.
import { readFileSync } from 'node:fs';
import Koa from 'koa';

const port = Number(process.argv[2]);
const bodyFile = process.argv[3];
const gzipped = bodyFile?.endsWith('.gz') ? readFileSync(bodyFile) : undefined;
const body = bodyFile && !gzipped ? readFileSync(bodyFile, 'utf8') : undefined;

const app = new Koa();
app.use((ctx) => {
  if (ctx.method !== 'GET' || ctx.path !== '/health') return;
  ctx.type = 'application/json; charset=utf-8';
  if (gzipped) {
    ctx.vary('Accept-Encoding');
    ctx.set('Content-Encoding', 'gzip');
    ctx.body = gzipped;
    return;
  }
  ctx.body = body ?? JSON.stringify({ status: 'healthy', uptime_seconds: Math.round(process.uptime() * 10) / 10 });
});
app.listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
