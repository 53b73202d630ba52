import { describe, expect, it } from 'vitest';
import { load, refuse } from './config-files.js';

const SOURCES = 'sources:\n  weather:\n    plugin: open-meteo\n';

describe('the mqtt section (CONTRACT §7)', () => {
  it('is off when absent', async () => {
    expect((await load(SOURCES)).config.mqtt).toBeUndefined();
  });

  it('takes three lines and fills in the prefixes', async () => {
    const { config } = await load(`mqtt:\n  url: mqtt://192.168.1.10:1883\n${SOURCES}`);
    expect(config.mqtt).toEqual({ url: 'mqtt://192.168.1.10:1883', discovery_prefix: 'homeassistant', base_topic: 'homeiq' });
  });

  it('takes mqtts://, a login from the environment and its own topics', async () => {
    const text = 'mqtt:\n  url: mqtts://broker:8883\n  username: ${U}\n  password: ${P}\n  discovery_prefix: ha\n  base_topic: home/iq\n';
    const { config } = await load(text + SOURCES, { U: 'me', P: 's3cret-pass' });
    expect(config.mqtt).toEqual({ url: 'mqtts://broker:8883', username: 'me', password: 's3cret-pass', discovery_prefix: 'ha', base_topic: 'home/iq' });
  });

  it('refuses another scheme, wildcards in topics, unknown keys and a password without a user, without echoing it', async () => {
    const text = 'mqtt:\n  url: http://broker:1883\n  password: hunter2-pass\n  discovery_prefix: "ha/#"\n  base_topic: "a b"\n  qos: 2\n';
    const { file, lines } = await refuse(text + SOURCES);
    expect(lines).toEqual(expect.arrayContaining([
      `${file}:2: mqtt.url: is not a broker URL like mqtt://host:1883 or mqtts://host:8883`,
      `${file}:4: mqtt.discovery_prefix: is not an MQTT topic of letters, digits, _ and - levels separated by /`,
      `${file}:5: mqtt.base_topic: is not an MQTT topic of letters, digits, _ and - levels separated by /`,
      `${file}:6: mqtt.qos: unknown key`,
    ]));
    expect(lines.join('\n')).toMatch(/mqtt: .*username/);
    expect(lines.join('\n')).not.toContain('hunter2-pass');
  });

  it('needs a url', async () => {
    const { file, lines } = await refuse(`mqtt:\n  base_topic: x\n${SOURCES}`);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^${file}:\\d+: mqtt.url: is required$`))]);
  });
});
