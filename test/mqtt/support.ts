import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { eventually } from '../support/eventually.js';
import { dropInExamplePlugin } from '../support/readme-plugin.js';
import { freePort, spawnCli } from '../support/run-cli.js';
import { localStorageYaml, tempConfig } from '../support/temp-config.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `check` returns a value other than undefined/false, and returns it (see eventually). */
export async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  let value: T | undefined | false;
  await eventually(what, async () => (value = await check()) !== undefined && value !== false, ms);
  return value as T;
}

/** Topics of one test: its own discovery prefix and base topic on the shared broker. */
export function testTopics(): { prefix: string; base: string } {
  const id = randomBytes(4).toString('hex');
  return { prefix: `ha_${id}`, base: `homeiq_${id}` };
}

/** A client subscribing as Home Assistant does: every message under the prefix and the base topic, kept in order. */
export class HomeAssistantClient {
  readonly messages: { topic: string; payload: string; retain: boolean }[] = [];
  private constructor(private readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => this.messages.push({ topic, payload: payload.toString('utf8'), retain: packet.retain }));
  }

  static async connect(url: string, topics: { prefix: string; base: string }): Promise<HomeAssistantClient> {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 500, clientId: `ha_${randomBytes(4).toString('hex')}` });
    const ha = new HomeAssistantClient(client);
    await client.subscribeAsync([`${topics.prefix}/#`, `${topics.base}/#`], { qos: 1 });
    return ha;
  }

  /** The newest payload of `topic` (undefined: none yet). */
  last(topic: string): string | undefined {
    for (let i = this.messages.length - 1; i >= 0; i--) if (this.messages[i]!.topic === topic) return this.messages[i]!.payload;
    return undefined;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json(topic: string): Record<string, any> | undefined {
    const text = this.last(topic);
    return text ? (JSON.parse(text) as Record<string, any>) : undefined;
  }

  publish(topic: string, payload: string, retain = false): Promise<unknown> {
    return this.client.publishAsync(topic, payload, { qos: 1, retain });
  }

  end(): Promise<void> {
    return this.client.endAsync(true);
  }
}

/** `homeiq start` (the built program, as `npm start` runs it) with an `mqtt` section. */
export async function startMqttHost(sources: string, mqttYaml: string, files: Record<string, string> = {}) {
  const port = await freePort();
  const cfg = tempConfig('');
  dropInExamplePlugin(cfg.dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(cfg.dir, name), text);
  const config = (s: string) => `server:\n  host: 127.0.0.1\n  port: ${port}\n${localStorageYaml(cfg.dir)}${mqttYaml}sources:\n${s}`;
  cfg.write(config(sources));
  const child = spawnCli(['start', '--config', cfg.file]);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const health = async () => (await (await fetch(`${url}/health`)).json()) as Record<string, any>;
  await until(`/health of the host:\n${child.output()}`, () => health().catch(() => undefined), 40_000);
  return {
    url,
    health,
    output: child.output,
    exited,
    /** Rewrites the config's sources (the host reloads it). */
    rewrite: (s: string) => cfg.write(config(s)),
    kill: (signal: NodeJS.Signals) => child.kill(signal),
  };
}
