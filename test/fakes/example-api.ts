import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The upstream of the README's example plugin: `GET /reading` with an `X-API-Key` header answers
 * `{"readings":[{"time":ISO,"value":n}]}`. Controls let a test make it fail, hang or go slow.
 */
export interface FakeExampleApi {
  url: string;
  /** Requests received, with the key they presented. */
  requests: { path: string; key: string | undefined; at: number }[];
  /** The key it accepts; others get 401. */
  key: string;
  /** Answer the next n requests with this status (and optional headers/body). */
  failNext(n: number, status: number, options?: { headers?: Record<string, string>; body?: string }): void;
  /** Answer every request with this status until cleared with undefined. */
  failAlways(status: number | undefined): void;
  /** Keep the next n requests open without answering. */
  hangNext(n: number): void;
  /** Wait this long before answering. */
  delayMs: number;
  /** Value of the readings; the time is the current minute unless `readingTime` is set. */
  value: number;
  readingTime: Date | null;
  /** Requests in flight right now, and the most ever at once. */
  inFlight: number;
  maxInFlight: number;
  close(): Promise<void>;
}

export async function startFakeExampleApi(key = 'example-key-123'): Promise<FakeExampleApi> {
  const failures: { status: number; headers?: Record<string, string>; body?: string }[] = [];
  let always: number | undefined;
  let hang = 0;
  const hung: ServerResponse[] = [];
  const fake: FakeExampleApi = {
    url: '',
    requests: [],
    key,
    failNext: (n, status, options) => {
      for (let i = 0; i < n; i++) failures.push({ status, ...options });
    },
    failAlways: (status) => {
      always = status;
    },
    hangNext: (n) => {
      hang += n;
    },
    delayMs: 0,
    value: 42.5,
    readingTime: null,
    inFlight: 0,
    maxInFlight: 0,
    close: async () => {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const presented = req.headers['x-api-key'];
    fake.requests.push({ path: url.pathname, key: typeof presented === 'string' ? presented : undefined, at: Date.now() });
    fake.inFlight += 1;
    fake.maxInFlight = Math.max(fake.maxInFlight, fake.inFlight);
    res.on('close', () => {
      fake.inFlight -= 1;
    });
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body);
    };
    if (hang > 0) {
      hang -= 1;
      hung.push(res);
      return;
    }
    setTimeout(() => {
      if (url.pathname !== '/reading') return send(404, JSON.stringify({ error: 'not found' }));
      if (presented !== fake.key) return send(401, JSON.stringify({ error: 'Invalid API key' }));
      const failure = failures.shift();
      if (failure) return send(failure.status, failure.body ?? JSON.stringify({ error: `fake failure ${failure.status}` }), failure.headers);
      if (always !== undefined) return send(always, JSON.stringify({ error: `fake failure ${always}` }));
      const time = fake.readingTime ?? new Date(Math.floor(Date.now() / 60_000) * 60_000);
      send(200, JSON.stringify({ readings: [{ time: time.toISOString(), value: fake.value }] }));
    }, fake.delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
