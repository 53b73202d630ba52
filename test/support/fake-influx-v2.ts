import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake received. */
export interface ReceivedWrite {
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  lines: string[];
}

/** How the fake answers: a status, headers and a body (InfluxDB 2 sends JSON `{code, message}`). */
export interface FakeAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * A loopback HTTP server that answers `/api/v2/write` the way InfluxDB 2 does for the failures no
 * local server can be made to produce on demand (401 with its JSON message, 429 with Retry-After,
 * 503). It counts every request and records the writes it accepted (answered 204 by default).
 */
export class FakeInfluxV2 {
  readonly received: ReceivedWrite[] = [];
  /** Every request, answered with success or not. */
  requests = 0;
  /** The answer to the next writes; 204 by default. */
  answer: FakeAnswer = { status: 204 };
  private readonly server: http.Server;

  private constructor() {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests += 1;
        const url = new URL(req.url ?? '/', 'http://fake');
        const answer = this.answer;
        if (answer.status < 300) {
          this.received.push({ path: url.pathname, query: url.searchParams, headers: req.headers, lines: Buffer.concat(chunks).toString('utf8').split('\n') });
        }
        res.writeHead(answer.status, answer.headers ?? (answer.body ? { 'content-type': 'application/json; charset=utf-8' } : {}));
        res.end(answer.body);
      });
    });
  }

  static async start(): Promise<FakeInfluxV2> {
    const fake = new FakeInfluxV2();
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Every line written so far, in order. */
  get lines(): string[] {
    return this.received.flatMap((r) => r.lines);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
