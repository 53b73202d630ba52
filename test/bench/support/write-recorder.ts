// A recording proxy in front of influxd: forwards every request and notes when each `/write`
// was acknowledged, so a benchmark can tell when a contestant's first writes landed.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export class WriteRecorder {
  /** performance.now() of each acknowledged /write, in arrival order. */
  readonly writes: number[] = [];
  private constructor(private readonly server: http.Server) {}

  static async start(target: string): Promise<WriteRecorder> {
    const to = new URL(target);
    const server = http.createServer();
    const recorder = new WriteRecorder(server);
    server.on('request', (req, res) => {
      const up = http.request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', () => {
          if (req.url?.startsWith('/write') && answer.statusCode === 204) recorder.writes.push(performance.now());
        });
      });
      up.on('error', () => res.writeHead(502).end());
      req.pipe(up);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return recorder;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Resolves with the time of the `n`-th acknowledged write after `since` (performance.now()). */
  async nthWriteAfter(since: number, n: number, timeoutMs = 30_000): Promise<number> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const after = this.writes.filter((t) => t >= since);
      if (after.length >= n) return after[n - 1]!;
      if (Date.now() > end) throw new Error(`${after.length} of ${n} writes arrived within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
