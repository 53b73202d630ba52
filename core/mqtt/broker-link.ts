import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { ErrorRecord } from '../storage/storage.js';

/** `/health`'s `mqtt` block (CONTRACT §7). */
export interface MqttHealth {
  status: 'healthy' | 'degraded' | 'error';
  connected: boolean;
  last_error: ErrorRecord | null;
  /** Messages the broker acknowledged since start. */
  published: number;
  /** Extensions: connection attempts that failed, and retained topics held for the broker. */
  connection_errors: number;
  topics: number;
}

export interface BrokerSettings {
  url: string;
  username?: string;
  password?: string;
  clientId: string;
  /** The host's availability topic: `online` when connected, `offline` as the last will. */
  statusTopic: string;
  /** Topics subscribed on every connection (Home Assistant's birth). */
  subscriptions: readonly string[];
}

export interface BrokerEvents {
  /** Connected (`first`: the first time since start); everything held was just published again. */
  connected(first: boolean): void;
  message(topic: string, payload: string): void;
}

/** Backoff between connection attempts: doubling from 1 s to 30 s, ±20 % so hosts do not reconnect in step. */
const FIRST_RETRY_MS = 1000;
const LAST_RETRY_MS = 30_000;
/** Retained topics held for the broker at most (a topic's newest payload replaces the older one). */
export const MAX_TOPICS = 100_000;
/** How long a shutdown waits for `offline` to reach the broker. */
const GOODBYE_MS = 2000;
/** MQTT 3.1.1 CONNACK 4 and 5, MQTT 5 reason codes 134 and 135: the broker refused the login. */
const LOGIN_REFUSED = new Set([4, 5, 134, 135]);

/**
 * The connection to the broker and the retained topics this host owns. Every retained topic's
 * newest payload is held here (one per topic, so the memory is bounded by the entities, not by
 * the time offline) and published again after every (re)connection: a broker that restarted
 * without persistence, or was unreachable for hours, gets the current state, never a backlog.
 * Nothing here blocks a caller: `set` and `clear` return at once, connected or not.
 */
export class BrokerLink {
  private client: MqttClient | null = null;
  private readonly retained = new Map<string, string>();
  /** Empty retained payloads (deletions) still to send. */
  private readonly clears = new Set<string>();
  private isConnected = false;
  private everConnected = false;
  private stopped = false;
  private retryMs = FIRST_RETRY_MS;
  private retryTimer: NodeJS.Timeout | null = null;
  private lastError: ErrorRecord | null = null;
  private loginRefused = false;
  private published = 0;
  private failures = 0;
  /** Failed attempts since the last connection: three make the status `error`. */
  private failuresInRow = 0;
  private topicsRefused = false;

  constructor(
    private readonly settings: BrokerSettings,
    private readonly events: BrokerEvents,
    private readonly logger: Logger,
    private readonly redact: (text: string) => string,
  ) {}

  start(): void {
    this.connect();
  }

  get connected(): boolean {
    return this.isConnected;
  }

  /** Holds `payload` as `topic`'s retained state and publishes it when connected; false when it was already so. */
  set(topic: string, payload: string, force = false): boolean {
    const before = this.retained.get(topic);
    if (before === payload && !force) return false;
    if (before === undefined && this.retained.size >= MAX_TOPICS) {
      if (!this.topicsRefused) this.logger.error({ topic, max: MAX_TOPICS }, 'mqtt: too many topics; new entities are not published');
      this.topicsRefused = true;
      return false;
    }
    this.retained.set(topic, payload);
    this.clears.delete(topic);
    if (this.isConnected) this.send(topic, payload);
    return true;
  }

  /** Deletes `topic`'s retained message on the broker (now, or once connected). */
  clear(topic: string): void {
    this.retained.delete(topic);
    if (this.isConnected) this.send(topic, '');
    else this.clears.add(topic);
  }

  /** Publishes again the held topics that `which` selects (Home Assistant's birth: the states). */
  republish(which: (topic: string) => boolean): void {
    if (!this.isConnected) return;
    this.send(this.settings.statusTopic, 'online');
    for (const [topic, payload] of this.retained) if (which(topic)) this.send(topic, payload);
  }

  subscribe(topics: string[]): void {
    this.client?.subscribe(topics, { qos: 1 }, (err) => err && this.failed(err, 'subscribe'));
  }

  unsubscribe(topics: string[]): void {
    this.client?.unsubscribe(topics);
  }

  health(): MqttHealth {
    const status = this.isConnected ? 'healthy' : this.loginRefused || this.failuresInRow >= 3 ? 'error' : 'degraded';
    return {
      status,
      connected: this.isConnected,
      last_error: this.lastError,
      published: this.published,
      connection_errors: this.failures,
      topics: this.retained.size,
    };
  }

  /** Says `offline` (retained) and disconnects; Home Assistant shows every entity unavailable. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    if (!client) return;
    if (this.isConnected) {
      const goodbye = client.publishAsync(this.settings.statusTopic, 'offline', { qos: 1, retain: true }).catch(() => undefined);
      await Promise.race([goodbye, new Promise((r) => setTimeout(r, GOODBYE_MS).unref())]);
    }
    client.end(true);
  }

  /** One connection attempt; MQTT.js's own reconnect is off, so the backoff is ours. */
  private connect(): void {
    const { url, username, password, clientId, statusTopic } = this.settings;
    const client = mqtt.connect(url, {
      clientId,
      username,
      password,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      will: { topic: statusTopic, payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    this.client = client;
    client.on('connect', () => this.onConnect(client));
    client.on('error', (err) => this.failed(err, 'connection'));
    client.on('close', () => this.onClose(client));
    client.on('message', (topic, payload) => this.events.message(topic, payload.toString('utf8')));
  }

  private onConnect(client: MqttClient): void {
    if (this.client !== client) return;
    const first = !this.everConnected;
    this.isConnected = true;
    this.everConnected = true;
    this.loginRefused = false;
    this.failuresInRow = 0;
    this.retryMs = FIRST_RETRY_MS;
    this.logger.info({ broker: this.redact(this.settings.url), first }, first ? 'mqtt: connected' : 'mqtt: connected again; publishing everything again');
    client.subscribe([...this.settings.subscriptions], { qos: 1 }, (err) => err && this.failed(err, 'subscribe'));
    this.send(this.settings.statusTopic, 'online');
    for (const topic of this.clears) this.send(topic, '');
    this.clears.clear();
    // Configs before states, so Home Assistant knows an entity before its first state.
    for (const [topic, payload] of this.retained) if (topic.endsWith('/config')) this.send(topic, payload);
    for (const [topic, payload] of this.retained) if (!topic.endsWith('/config')) this.send(topic, payload);
    this.events.connected(first);
  }

  private onClose(client: MqttClient): void {
    if (this.client !== client) return;
    client.end(true);
    if (this.isConnected) this.logger.warn({ broker: this.redact(this.settings.url) }, 'mqtt: connection lost; retrying');
    this.isConnected = false;
    if (this.stopped) return;
    const wait = Math.round(this.retryMs * (0.8 + Math.random() * 0.4));
    this.retryMs = Math.min(this.retryMs * 2, LAST_RETRY_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) this.connect();
    }, wait);
    this.retryTimer.unref();
  }

  private send(topic: string, payload: string): void {
    this.client?.publish(topic, payload, { qos: 1, retain: true }, (err) => {
      if (err) this.failed(err, 'publish');
      else this.published += 1;
    });
  }

  /** Kept for `/health` (redacted, without the broker's password) and logged when it is news. */
  private failed(err: Error, during: string): void {
    const code = (err as { code?: unknown }).code;
    const refused = typeof code === 'number' && LOGIN_REFUSED.has(code);
    if (during === 'connection') {
      this.failures += 1;
      this.failuresInRow += 1;
    }
    if (refused) this.loginRefused = true;
    const reason = refused ? `the broker refused the login (${err.message}); check mqtt.username and mqtt.password` : err.message;
    const message = this.redact(`mqtt ${during} to ${this.settings.url} failed: ${reason}`);
    if (this.lastError?.message !== message) this.logger.warn({ broker: this.redact(this.settings.url) }, message);
    this.lastError = { at: new Date().toISOString(), message };
  }
}
