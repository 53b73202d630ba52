import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.js';
import { ManagedProcess, startWithRetries, waitUntil } from './managed-process.js';

/** One series as VictoriaMetrics' `/api/v1/export` prints it (a JSON line). */
export interface ExportedSeries {
  metric: Record<string, string> & { __name__: string };
  values: number[];
  timestamps: number[];
}

/** Exports the series matching a selector, after making recent writes searchable. */
export async function victoriaExport(url: string, match: string): Promise<ExportedSeries[]> {
  await fetch(`${url}/internal/force_flush`);
  const query = new URLSearchParams({ 'match[]': match, start: '0' });
  const res = await fetch(`${url}/api/v1/export?${query.toString()}`);
  if (!res.ok) throw new Error(`export failed (${res.status}): ${await res.text()}`);
  return (await res.text()).split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as ExportedSeries);
}

/**
 * A private VictoriaMetrics on a free loopback port with its data in a temporary folder; it
 * accepts the InfluxDB v2 write API at `/api/v2/write`. Retention is long so that test points
 * with old times are kept.
 */
export class VictoriaServer {
  readonly dir: string;
  private readonly dataDir: string;
  private process: ManagedProcess | null = null;
  private port = 0;

  private constructor() {
    this.dir = mkdtempSync(path.join(tmpdir(), 'homeiq-victoria-'));
    this.dataDir = path.join(this.dir, 'data');
  }

  static async start(): Promise<VictoriaServer> {
    const server = new VictoriaServer();
    return startWithRetries(server, async () => {
      server.port = await freePort();
      server.process = new ManagedProcess('victoria-metrics', [
        `-httpListenAddr=127.0.0.1:${server.port}`,
        `-storageDataPath=${server.dataDir}`,
        '-retentionPeriod=100y',
        '-loggerLevel=ERROR',
      ], path.join(server.dir, 'victoria-metrics.log'));
      await server.start();
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** (Re)starts on the same port and data; resolves once it answers and is this instance. */
  async start(): Promise<void> {
    const p = this.process!;
    p.start();
    try {
      await waitUntil(`victoria-metrics on ${this.url}`, async () => (await fetch(`${this.url}/health`)).ok, () => p.running);
      await this.checkIdentity();
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${p.logTail()}`, { cause: err });
    }
  }

  async stop(): Promise<void> {
    await this.process?.stop();
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  async export(match: string): Promise<ExportedSeries[]> {
    return victoriaExport(this.url, match);
  }

  /** VictoriaMetrics publishes its flags at /metrics: the data path must be this instance's. */
  private async checkIdentity(): Promise<void> {
    const text = await (await fetch(`${this.url}/metrics`)).text();
    const expected = `flag{name="storageDataPath", value="${this.dataDir}"`;
    if (!text.includes(expected)) throw new Error(`the server on ${this.url} is not the victoria-metrics started here`);
  }
}
