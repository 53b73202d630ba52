import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The shared base of the fake upstream servers: a real node:http server on 127.0.0.1 port 0
 * with a request log, per-path counters and the fault controls every fake offers. A fake only
 * supplies its routes as one `handle` function.
 */

/** How a request authenticated itself, from its `Authorization` header. */
export type AuthKind = 'none' | 'basic' | 'bearer' | 'other';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The raw request body (empty for GET). */
  body: string;
  auth: AuthKind;
}

/** What a route answers. A string body is sent as is; anything else as JSON. */
export interface FakeReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  auth: AuthKind;
  /** The status answered; undefined while the request hangs or when the socket died first. */
  status: number | undefined;
  at: number;
}

/** Limits a fault to one path (e.g. `/v3/forecast`); without it the fault hits any request. */
export interface FaultScope {
  path?: string;
}

export interface FailOptions extends FaultScope {
  body?: unknown;
  headers?: Record<string, string>;
}

export interface HttpFake {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  /** Random per instance, sent as the `x-fake-id` header so a test can tell which server answered. */
  id: string;
  /** Every request in arrival order. */
  requests: RequestRecord[];
  /** Requests received per path. */
  counts: Record<string, number>;
  /** Answer the next n (matching) requests with `status` and an optional body and headers. */
  failNext(n: number, status: number, options?: FailOptions): void;
  /** Accept the next n (matching) requests and never answer them. */
  hangNext(n: number, scope?: FaultScope): void;
  /** Wait `ms` before answering every request from now on (0 turns it off). */
  slow(ms: number): void;
  /** Answer the next n (matching) requests 200 with a JSON body cut short. */
  malformedNext(n: number, scope?: FaultScope): void;
  /** Send headers and half the body of the next n (matching) answers, then destroy the socket. */
  closeMidBodyNext(n: number, scope?: FaultScope): void;
  close(): Promise<void>;
}

type Fault =
  | ({ kind: 'fail'; status: number } & FailOptions)
  | ({ kind: 'hang' | 'malformed' | 'close-mid-body' } & FaultScope);

/** A JSON body that stops in the middle of a value. */
const BROKEN_JSON = '{"data":[{"point_time":"2024-01-01T00:00:00+00:00","value":';

/** Counts events per key over a rolling window, for the upstreams' rate limits. */
export class RollingWindow {
  private readonly hits = new Map<string, number[]>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Records one event for `key`; false when that is more than `limit` within the window. */
  allow(key: string, now: number): boolean {
    const recent = (this.hits.get(key) ?? []).filter((at) => now - at < this.windowMs);
    recent.push(now);
    this.hits.set(key, recent);
    return recent.length <= this.limit;
  }
}

function authKind(header: string | undefined): AuthKind {
  if (!header) return 'none';
  if (/^basic /i.test(header)) return 'basic';
  if (/^bearer /i.test(header)) return 'bearer';
  return 'other';
}

/** The user and password of a `Basic` Authorization header; undefined when absent or malformed. */
export function basicCredentials(header: string | undefined): { username: string; password: string } | undefined {
  const encoded = /^basic (.+)$/i.exec(header ?? '')?.[1];
  const decoded = encoded ? Buffer.from(encoded, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The token of a `Bearer` Authorization header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  return /^bearer (.+)$/i.exec(header ?? '')?.[1]?.trim() || undefined;
}

/** A request body parsed as a JSON object; undefined for anything else. */
export function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function encode(reply: FakeReply): { text: string; headers: Record<string, string> } {
  const isText = typeof reply.body === 'string';
  const text = reply.body === undefined ? '' : isText ? (reply.body as string) : JSON.stringify(reply.body);
  const type = !isText || /^\s*[[{]/.test(text) ? 'application/json' : /^\s*</.test(text) ? 'text/html' : 'text/plain';
  return { text, headers: { 'content-type': type, ...reply.headers } };
}

/** The server behind an {@link HttpFake}: fault queue, delays and open answers. */
class FakeServer {
  // A client that disconnects mid-request must not become an unhandled rejection in the test run.
  readonly server = createServer((req, res) => void this.receive(req, res).catch(() => res.destroy()));
  private readonly faults: Fault[] = [];
  private readonly open = new Set<ServerResponse>();
  private readonly timers = new Set<NodeJS.Timeout>();
  delayMs = 0;

  constructor(
    private readonly fake: HttpFake,
    private readonly handle: (req: FakeRequest) => FakeReply | Promise<FakeReply>,
  ) {}

  push(n: number, fault: Fault): void {
    for (let i = 0; i < n; i++) this.faults.push({ ...fault });
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
    const url = new URL(req.url ?? '/', 'http://fake');
    const auth = authKind(req.headers.authorization);
    const fakeReq: FakeRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: await readBody(req), auth };
    const record: RequestRecord = { method: fakeReq.method, path: fakeReq.path, query: Object.fromEntries(url.searchParams), auth, status: undefined, at: Date.now() };
    this.fake.requests.push(record);
    this.fake.counts[fakeReq.path] = (this.fake.counts[fakeReq.path] ?? 0) + 1;
    if (this.delayMs <= 0) return this.serve(fakeReq, res, record);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.serve(fakeReq, res, record);
    }, this.delayMs);
    this.timers.add(timer);
  }

  private takeFault(path: string): Fault | undefined {
    const index = this.faults.findIndex((f) => f.path === undefined || f.path === path);
    return index < 0 ? undefined : this.faults.splice(index, 1)[0];
  }

  private async serve(req: FakeRequest, res: ServerResponse, record: RequestRecord): Promise<void> {
    const fault = this.takeFault(req.path);
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'fail') {
      const body = fault.body ?? { error: `fake failure ${fault.status}` };
      return this.answer(res, record, { status: fault.status, body, ...(fault.headers ? { headers: fault.headers } : {}) });
    }
    if (fault?.kind === 'malformed') return this.answer(res, record, { status: 200, body: BROKEN_JSON });
    let reply: FakeReply;
    try {
      reply = await this.handle(req);
    } catch (err) {
      reply = { status: 500, body: { error: 'fake server error', message: String(err) } };
    }
    this.answer(res, record, reply, fault?.kind === 'close-mid-body');
  }

  private answer(res: ServerResponse, record: RequestRecord, reply: FakeReply, cutShort = false): void {
    if (res.destroyed) return;
    const { text, headers } = encode(reply);
    record.status = reply.status;
    res.writeHead(reply.status, { ...headers, 'content-length': String(Buffer.byteLength(text)), 'x-fake-id': this.fake.id });
    if (!cutShort) return void res.end(text);
    res.write(text.slice(0, Math.max(1, Math.floor(text.length / 2))), () => res.destroy());
  }
}

/** Starts a fake upstream whose routes are `handle`. */
export async function startHttpFake(handle: (req: FakeRequest) => FakeReply | Promise<FakeReply>): Promise<HttpFake> {
  let server!: FakeServer; // set right below; the controls only run after this function returns
  const fake: HttpFake = {
    url: '',
    id: randomUUID(),
    requests: [],
    counts: {},
    failNext: (n, status, options) => server.push(n, { kind: 'fail', status, ...options }),
    hangNext: (n, scope) => server.push(n, { kind: 'hang', ...scope }),
    slow: (ms) => {
      server.delayMs = ms;
    },
    malformedNext: (n, scope) => server.push(n, { kind: 'malformed', ...scope }),
    closeMidBodyNext: (n, scope) => server.push(n, { kind: 'close-mid-body', ...scope }),
    close: () => server.close(),
  };
  server = new FakeServer(fake, handle);
  await new Promise<void>((resolve) => server.server.listen(0, '127.0.0.1', () => resolve()));
  fake.url = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  return fake;
}
