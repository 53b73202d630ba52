import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.js';
import { ManagedProcess, startWithRetries, waitUntil } from './managed-process.js';

/** The answer of InfluxDB 1.x's `/query`. */
export interface InfluxQueryResult {
  results: Array<{
    statement_id: number;
    error?: string;
    series?: Array<{ name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }>;
  }>;
}

/** Username and password of an InfluxDB 1.x user. */
export interface InfluxUser {
  username: string;
  password: string;
}

/** Runs an InfluxQL statement against an InfluxDB 1.x URL (times as epoch milliseconds). */
export async function influxQuery(url: string, q: string, db?: string, user?: InfluxUser): Promise<InfluxQueryResult> {
  const body = new URLSearchParams({ q, epoch: 'ms', ...(db ? { db } : {}) });
  const headers: Record<string, string> = user ? { authorization: `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}` } : {};
  const res = await fetch(`${url}/query`, { method: 'POST', body, headers });
  const json = (await res.json()) as InfluxQueryResult & { error?: string };
  if (!res.ok || json.error) throw new Error(`influx query failed (${res.status}): ${json.error ?? JSON.stringify(json)}`);
  const failed = json.results.find((r) => r.error);
  if (failed) throw new Error(`influx query failed: ${failed.error}`);
  return json;
}

/**
 * A private InfluxDB 1.x (influxd 1.6.7) on two free loopback ports (HTTP and RPC) with its data
 * in a temporary folder. `stop` and `start` keep the ports and the data (for outage tests);
 * `destroy` removes everything.
 */
export class InfluxdServer {
  readonly dir: string;
  private readonly configFile: string;
  private process: ManagedProcess;
  private httpPort = 0;

  private constructor(private readonly auth: boolean) {
    this.dir = mkdtempSync(path.join(tmpdir(), 'homeiq-influxd-'));
    this.configFile = path.join(this.dir, 'influxdb.conf');
    this.process = new ManagedProcess('influxd', ['-config', this.configFile], path.join(this.dir, 'influxd.log'));
  }

  /**
   * Starts a new server; retries on fresh ports if another process took one first. With `auth`,
   * HTTP authentication is on and `admin` (all privileges) is created with `adminPassword`.
   */
  static async start(options: { auth?: boolean; adminPassword?: string } = {}): Promise<InfluxdServer> {
    const server = new InfluxdServer(options.auth ?? false);
    return startWithRetries(server, async () => {
      await server.configure();
      await server.start();
      // With authentication on, InfluxDB 1.x lets the first admin be created without credentials.
      if (options.auth) await server.query(`CREATE USER admin WITH PASSWORD '${options.adminPassword ?? 'admin'}' WITH ALL PRIVILEGES`);
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get running(): boolean {
    return this.process.running;
  }

  /** (Re)starts on the same ports and data; resolves once it answers and is this instance. */
  async start(): Promise<void> {
    this.process.start();
    const p = this.process;
    try {
      await waitUntil(`influxd on ${this.url}`, async () => (await fetch(`${this.url}/ping`)).status === 204, () => p.running);
      await this.checkIdentity();
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${p.logTail()}`, { cause: err });
    }
  }

  async stop(): Promise<void> {
    await this.process.stop();
  }

  /** Stops the server and removes its folder. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  async query(q: string, db?: string, user?: InfluxUser): Promise<InfluxQueryResult> {
    return influxQuery(this.url, q, db, user);
  }

  private async configure(): Promise<void> {
    this.httpPort = await freePort();
    const rpcPort = await freePort();
    const d = (name: string) => JSON.stringify(path.join(this.dir, name));
    writeFileSync(this.configFile, [
      'reporting-disabled = true',
      `bind-address = "127.0.0.1:${rpcPort}"`,
      `[meta]\n  dir = ${d('meta')}`,
      `[data]\n  dir = ${d('data')}\n  wal-dir = ${d('wal')}\n  query-log-enabled = false`,
      `[http]\n  bind-address = "127.0.0.1:${this.httpPort}"\n  log-enabled = false\n  auth-enabled = ${this.auth}`,
      '[monitor]\n  store-enabled = false',
      '[continuous_queries]\n  enabled = false',
      '[logging]\n  level = "error"',
      '',
    ].join('\n'));
  }

  /** influxd publishes its command line at /debug/vars: it must name this instance's config file. */
  private async checkIdentity(): Promise<void> {
    const vars = (await (await fetch(`${this.url}/debug/vars`)).json()) as { cmdline?: string[] };
    if (!vars.cmdline?.includes(this.configFile)) {
      throw new Error(`the server on ${this.url} is not the influxd started here (cmdline ${JSON.stringify(vars.cmdline)})`);
    }
  }
}
