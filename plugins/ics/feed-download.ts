import type { RunContext } from '../../core/plugin-api/index.js';

/** Where the feed is: an absolute address (webcal:// read as https://) or a path under base_url. */
export function feedTarget(url: string): { target: string; absolute: boolean } {
  const trimmed = url.trim();
  const webcal = /^webcals?:\/\//i.exec(trimmed);
  if (webcal) return { target: `https://${trimmed.slice(webcal[0].length)}`, absolute: true };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) return { target: trimmed, absolute: true };
  // got refuses a leading slash under prefixUrl.
  return { target: trimmed.replace(/^\/+/, ''), absolute: false };
}

/** Downloads the feed's text through the host's client (retries, typed errors). */
export async function downloadFeed(ctx: RunContext<unknown>, url: string): Promise<string> {
  const { target, absolute } = feedTarget(url);
  try {
    return await ctx.http
      .get(target, {
        ...(absolute ? { prefixUrl: '' } : {}),
        headers: { accept: 'text/calendar, text/plain;q=0.5, */*;q=0.1' },
      })
      .text();
  } catch (err) {
    throw hideFeedPath(err);
  }
}

/**
 * A private feed's path is its secret (Google's `…/private-<secret>/basic.ics`), and the host's
 * messages name the request's path. Before the error reaches the host, the path is replaced by
 * `/[hidden]` in what it reads (the request options and the message). The host and its status
 * are untouched: only what is shown changes.
 */
export function hideFeedPath(err: unknown): unknown {
  const e = err as { options?: { method?: unknown; url?: unknown }; message?: unknown } | null;
  if (!e || typeof e !== 'object' || !e.options || e.options.url === undefined) return err;
  let url: URL;
  try {
    url = new URL(String(e.options.url));
  } catch {
    return err;
  }
  const hidden = new URL('/[hidden]', url.origin);
  const method = typeof e.options.method === 'string' ? e.options.method : 'GET';
  // got assigns `options` as a plain own property: a shallow stand-in keeps what the host reads.
  e.options = { method, url: hidden };
  if (typeof e.message === 'string') {
    e.message = e.message.split(url.toString()).join(hidden.toString()).split(url.pathname).join(hidden.pathname);
  }
  return err;
}
