import { startHttpFake, type FakeReply, type FakeRequest } from '../../fakes/http-fake.js';

/** A fake upstream's real answer to one request, as the proxy received it. */
export interface UpstreamAnswer {
  status: number;
  body: string;
  contentType: string;
}

/** Replaces the answer to a request, or leaves it (undefined). */
export type Tamper = (req: FakeRequest, answer: UpstreamAnswer) => FakeReply | undefined;

export interface TamperProxy {
  /** Base URL of the proxy, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** The current rule; undefined passes every answer through unchanged. */
  tamper: Tamper | undefined;
  /** How many answers the current rule replaced. */
  tampered: number;
  close(): Promise<void>;
}

/** Request headers worth passing on: who the client is (Electricity Maps: `auth-token`), what it sends and accepts. */
const PASSED = ['authorization', 'auth-token', 'content-type', 'accept', 'user-agent'];

/**
 * A real HTTP server on loopback in front of a plugin's fake upstream: it forwards every request
 * to `target` and hands the fake's answer to `tamper`, which may answer something else instead
 * (random bytes, a mutated body). The plugin talks HTTP to it exactly as to the upstream, so its
 * HTTP client, the host's error mapping and its parser are all under test; nothing is mocked.
 */
export async function startTamperProxy(target: string): Promise<TamperProxy> {
  const proxy: TamperProxy = { url: '', tamper: undefined, tampered: 0, close: async () => undefined };
  const server = await startHttpFake(async (req) => {
    const headers = Object.fromEntries(PASSED.flatMap((h) => (typeof req.headers[h] === 'string' ? [[h, req.headers[h] as string]] : [])));
    const query = req.query.toString();
    const res = await fetch(`${target}${req.path}${query ? `?${query}` : ''}`, {
      method: req.method,
      headers,
      redirect: 'manual',
      ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body: req.body }),
    });
    const answer: UpstreamAnswer = { status: res.status, body: await res.text(), contentType: res.headers.get('content-type') ?? 'application/octet-stream' };
    const replaced = proxy.tamper?.(req, answer);
    if (replaced) {
      proxy.tampered += 1;
      return replaced;
    }
    const retryAfter = res.headers.get('retry-after');
    return { status: answer.status, body: answer.body, headers: { 'content-type': answer.contentType, ...(retryAfter ? { 'retry-after': retryAfter } : {}) } };
  });
  proxy.url = server.url;
  proxy.close = () => server.close();
  return proxy;
}
