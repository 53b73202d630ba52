import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * An upstream of the README's example plugin (`GET <mode>/reading`, `X-API-Key`) that breaks its
 * answers in the middle of the body:
 * - `/cut/reading`: headers and half the JSON, then the socket is destroyed;
 * - `/slow/reading`: headers, then the JSON one byte every `byteEveryMs` (the client's time
 *   limit is meant to cut it);
 * - `/ok/reading`: a whole answer, for comparison.
 * It counts requests per mode and the TCP connections open right now, so a test can tell that the
 * client let go of every socket.
 */
export interface BrokenBodyApi {
  url: string;
  key: string;
  requests: { mode: string; at: number; key: string | undefined }[];
  /** Connections open now (accepted and not closed). */
  readonly openSockets: number;
  /** Slow answers still being written (their client has not gone away). */
  readonly trickling: number;
  /** Bytes of slow answers sent, all together. */
  trickledBytes: number;
  byteEveryMs: number;
  close(): Promise<void>;
}

export async function startBrokenBodyApi(key: string): Promise<BrokenBodyApi> {
  const sockets = new Set<Socket>();
  const trickles = new Set<NodeJS.Timeout>();
  const body = () => JSON.stringify({ readings: [{ time: new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString(), value: 17.25 }], note: 'x'.repeat(200) });
  const api: BrokenBodyApi = {
    url: '',
    key,
    requests: [],
    get openSockets() {
      return sockets.size;
    },
    get trickling() {
      return trickles.size;
    },
    trickledBytes: 0,
    byteEveryMs: 50,
    close: async () => {
      for (const t of trickles) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const trickle = (res: ServerResponse, text: string) => {
    let sent = 0;
    const timer = setInterval(() => {
      if (res.destroyed || sent >= text.length) {
        clearInterval(timer);
        trickles.delete(timer);
        if (!res.destroyed) res.end();
        return;
      }
      res.write(text[sent++]);
      api.trickledBytes += 1;
    }, api.byteEveryMs);
    trickles.add(timer);
    res.on('close', () => {
      clearInterval(timer);
      trickles.delete(timer);
    });
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const [, mode = '', rest] = /^\/([^/]+)(\/.*)$/.exec(url.pathname) ?? [];
    const presented = req.headers['x-api-key'];
    api.requests.push({ mode, at: Date.now(), key: typeof presented === 'string' ? presented : undefined });
    if (rest !== '/reading') return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    if (presented !== api.key) return void res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"Invalid API key"}');
    const text = body();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
    if (mode === 'cut') return void res.write(text.slice(0, text.length >> 1), () => res.destroy());
    if (mode === 'slow') return trickle(res, text);
    res.end(text);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return api;
}
