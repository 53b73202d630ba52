import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { freePort } from './free-port.js';
import { ManagedProcess, startWithRetries, waitUntil } from './managed-process.js';

/** The login the broker's password listener accepts (test data, not a secret of anyone's). */
export interface BrokerLogin {
  username: string;
  password: string;
}

/**
 * A private Mosquitto (Debian's `mosquitto` 2) on free loopback ports, its files in a temporary
 * folder and no persistence (a restart loses retained messages, as some users' brokers do). Two
 * listeners: `url` accepts anyone, `authUrl` only `login` (from a password file made with
 * `mosquitto_passwd -b`).
 */
export class MosquittoServer {
  readonly dir: string;
  readonly login: BrokerLogin = { username: 'homeiq', password: randomBytes(12).toString('hex') };
  private process: ManagedProcess | null = null;
  private port = 0;
  private authPort = 0;

  private constructor() {
    this.dir = mkdtempSync(path.join(tmpdir(), 'homeiq-mosquitto-'));
  }

  static async start(): Promise<MosquittoServer> {
    const server = new MosquittoServer();
    const passwords = path.join(server.dir, 'passwd');
    writeFileSync(passwords, '');
    const made = spawnSync('mosquitto_passwd', ['-b', passwords, server.login.username, server.login.password], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`mosquitto_passwd failed: ${made.stderr}`);
    return startWithRetries(server, async () => {
      server.port = await freePort();
      server.authPort = await freePort();
      const conf = path.join(server.dir, 'mosquitto.conf');
      writeFileSync(conf, server.configText(passwords));
      server.process = new ManagedProcess('mosquitto', ['-c', conf], path.join(server.dir, 'mosquitto.log'));
      await server.start();
    });
  }

  /** Root keeps its user (`user root`): the temporary folder is readable by its owner only. */
  private configText(passwords: string): string {
    return [
      'per_listener_settings true',
      'persistence false',
      'log_dest stderr',
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      `listener ${this.port} 127.0.0.1`,
      'allow_anonymous true',
      `listener ${this.authPort} 127.0.0.1`,
      'allow_anonymous false',
      `password_file ${passwords}`,
      '',
    ].join('\n');
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  get authUrl(): string {
    return `mqtt://127.0.0.1:${this.authPort}`;
  }

  /** (Re)starts on the same ports; resolves once it accepts this instance's login. */
  async start(): Promise<void> {
    const p = this.process!;
    p.start();
    try {
      await waitUntil(`mosquitto on ${this.url}`, () => this.acceptsLogin(), () => p.running);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${p.logTail()}`, { cause: err });
    }
  }

  /** Only the broker started here knows this instance's random password: that is the identity check. */
  private async acceptsLogin(): Promise<boolean> {
    const client = await mqtt.connectAsync(this.authUrl, { ...this.login, reconnectPeriod: 0, connectTimeout: 1000 });
    await client.endAsync();
    return true;
  }

  async stop(): Promise<void> {
    await this.process?.stop();
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
