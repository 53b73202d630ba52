import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the test upstream received. */
export interface UpstreamRequest {
  method: string;
  /** The path without the query. */
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: string;
}

/** What the test upstream answers: `body` as is when a string, as JSON otherwise. */
export interface UpstreamAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Answers a request; `'hang'` never answers (until the client gives up). */
export type UpstreamHandler = (req: UpstreamRequest) => UpstreamAnswer | 'hang';

export interface TestUpstream {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  /** Every request so far, in order. */
  readonly requests: UpstreamRequest[];
  /** How many requests the client dropped before they were answered (aborted runs). */
  readonly abandoned: number;
  /** Resolves once the client has dropped an unanswered request. */
  abandonedOnce(): Promise<void>;
  close(): Promise<void>;
}

function send(res: ServerResponse, answer: UpstreamAnswer): void {
  const text = typeof answer.body === 'string' ? answer.body : answer.body === undefined ? '' : JSON.stringify(answer.body);
  const type = typeof answer.body === 'string' ? 'text/plain' : 'application/json';
  res.writeHead(answer.status, { 'content-type': type, ...answer.headers });
  res.end(text);
}

/** A loopback HTTP server that answers every request through `handler`, for tests of a plugin. */
export async function startTestUpstream(handler: UpstreamHandler): Promise<TestUpstream> {
  const requests: UpstreamRequest[] = [];
  let abandoned = 0;
  let onAbandon: (() => void)[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const request = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(request);
      const answer = handler(request);
      if (answer !== 'hang') return send(res, answer);
      // The client closing the socket of an unanswered request is how an abort shows here.
      res.on('close', () => {
        abandoned += 1;
        for (const f of onAbandon) f();
        onAbandon = [];
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get abandoned() {
      return abandoned;
    },
    abandonedOnce: () => new Promise<void>((resolve) => (abandoned > 0 ? resolve() : onAbandon.push(resolve))),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
