import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BUILTIN_PLUGINS } from '../../core/builtin-plugins.js';
import { loadConfig } from '../../core/config/load.js';
import { PluginLoader } from '../../core/runtime/plugin-loader.js';
import { prepareSources } from '../../core/runtime/source-set.js';
import { freePort } from '../support/free-port.js';
import { ManagedProcess, waitUntil } from '../support/managed-process.js';

/**
 * No Docker engine runs here, so these check what can be checked without one (issue 10): the
 * compose file, the example env file, the Docker config and the Grafana dashboard against what
 * the host and its plugins really do.
 */
const file = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const text = (p: string) => readFileSync(file(p), 'utf8');
const variables = (s: string) => new Set([...s.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!));

/** CONTRACT §4: measurement → tags and fields. */
const SCHEMA: Record<string, { tags: string[]; fields: string[] }> = {
  carbon_intensity: { tags: ['source', 'region', 'signal_type', 'series'], fields: ['value'] },
  air_quality: { tags: ['source', 'provider', 'parameter'], fields: ['aqi', 'category', 'category_name'] },
  air_quality_forecast: { tags: ['source', 'provider', 'parameter'], fields: ['aqi', 'category', 'category_name'] },
  weather: { tags: ['source', 'provider'], fields: ['temperature_c', 'relative_humidity_pct', 'wind_speed_kmh', 'wind_direction_deg', 'precipitation_mm', 'pressure_hpa', 'cloud_cover_pct', 'weather_code'] },
  weather_forecast: { tags: ['source', 'provider'], fields: ['temperature_c', 'relative_humidity_pct', 'wind_speed_kmh', 'wind_direction_deg', 'precipitation_mm', 'pressure_hpa', 'cloud_cover_pct', 'weather_code'] },
  electricity_price: { tags: ['source', 'provider', 'area', 'currency', 'resolution'], fields: ['price_per_kwh', 'price_per_kwh_incl_tax', 'level'] },
  calendar_event: { tags: ['source', 'calendar', 'event_id'], fields: ['summary', 'end', 'all_day', 'status', 'location'] },
};

describe('docker-compose.yml', () => {
  const compose = parse(text('docker-compose.yml'));

  it('runs the host, InfluxDB 2, Grafana and Mosquitto, with the host checked on /health', () => {
    // `docker compose up` starts the services of no profile.
    const byDefault = Object.entries(compose.services as Record<string, { profiles?: string[] }>).filter(([, s]) => !s.profiles);
    expect(byDefault.map(([name]) => name).sort()).toEqual(['grafana', 'homeiq', 'influxdb', 'mosquitto']);
    expect(compose.services.homeiq.healthcheck.test.join(' ')).toContain('/health');
    expect(compose.services.influxdb.image).toMatch(/^influxdb:2/);
    expect(compose.services.homeiq.environment.HOMEIQ_CONFIG).toBe('/app/config/sources.docker.yaml');
    expect(text('Dockerfile')).toMatch(/HEALTHCHECK[\s\S]*\/health/);
    expect(text('Dockerfile')).toMatch(/^USER node$/m);
  });

  it('has a `shared` profile: Redis (noeviction, append-only file on a volume, no published port) and three hosts sharing the sources through it', () => {
    const { redis, 'homeiq-shared': shared } = compose.services;
    expect(redis.profiles).toEqual(['shared']);
    expect(redis.image).toMatch(/^redis:7/);
    expect(redis.command.join(' ')).toContain('--maxmemory-policy noeviction');
    expect(redis.command.join(' ')).toContain('--appendonly yes');
    expect(redis.volumes).toContain('redis-data:/data');
    expect(redis.ports).toBeUndefined();
    expect(shared.profiles).toEqual(['shared']);
    expect(shared.deploy.replicas).toBe(3);
    expect(shared.environment.HOMEIQ_CONFIG).toBe('/app/config/sources.shared.yaml');
    expect(shared.healthcheck.test.join(' ')).toContain('/health');
    // Each replica's spool is its own: no named volume on /app/data, and no host_id given (each its hostname).
    expect(shared.volumes.some((v: string) => v.endsWith(':/app/data'))).toBe(false);
    expect(parse(text('config/sources.shared.yaml')).scheduler.host_id).toBeUndefined();
  });

  it('passes every variable the configs use to the host, and the example env file lists them all', () => {
    const used = new Set([...variables(text('config/sources.yaml')), ...variables(text('config/sources.docker.yaml'))]);
    const passed = new Set(Object.keys(compose.services.homeiq.environment));
    const listed = new Set([...text('config/homeiq.env.example').matchAll(/^([A-Z][A-Z0-9_]*)=$/gm)].map((m) => m[1]!));
    for (const name of used) {
      expect(passed, `compose passes ${name}`).toContain(name);
      expect(listed, `homeiq.env.example lists ${name}`).toContain(name);
    }
    for (const name of variables(text('docker-compose.yml'))) expect(listed, `homeiq.env.example lists ${name}`).toContain(name);
    const passedShared = new Set(Object.keys(compose.services['homeiq-shared'].environment));
    for (const name of variables(text('config/sources.shared.yaml'))) {
      expect(passedShared, `compose passes ${name} to homeiq-shared`).toContain(name);
      expect(listed, `homeiq.env.example lists ${name}`).toContain(name);
    }
  });
});

describe('the Mosquitto of docker-compose.yml', () => {
  const compose = parse(text('docker-compose.yml'));

  it('is wired to the host: the Docker config publishes to it unless MQTT_URL names another broker', async () => {
    const mosquitto = compose.services.mosquitto;
    expect(mosquitto.image).toMatch(/^eclipse-mosquitto:2/);
    expect(mosquitto.ports).toContain('1883:1883');
    expect(mosquitto.volumes).toContain('./config/mosquitto:/mosquitto/config');
    expect(compose.services.homeiq.depends_on).toContain('mosquitto');
    expect(compose.services.homeiq.environment.MQTT_URL).toBe('${MQTT_URL:-mqtt://mosquitto:1883}');
    const docker = await loadConfig(file('config/sources.docker.yaml'), { INFLUXDB_TOKEN: 'not-a-real-token' });
    expect(docker.config.mqtt).toMatchObject({ url: 'mqtt://mosquitto:1883', discovery_prefix: 'homeassistant', base_topic: 'homeiq' });
    const elsewhere = await loadConfig(file('config/sources.docker.yaml'), { INFLUXDB_TOKEN: 'x', MQTT_URL: 'mqtt://homeassistant.local:1883' });
    expect(elsewhere.config.mqtt?.url).toBe('mqtt://homeassistant.local:1883');
  });

  it("runs with its mosquitto.conf under Debian's mosquitto 2: anonymous clients may publish and subscribe", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'homeiq-compose-mosquitto-'));
    const port = await freePort();
    // The shipped file as the container reads it, but on a free loopback port and a temporary data folder.
    const conf = text('config/mosquitto/mosquitto.conf')
      .replace(/^listener 1883$/m, `listener ${port} 127.0.0.1`)
      .replace(/^persistence_location .*$/m, `persistence_location ${dir}/`)
      .concat(process.getuid?.() === 0 ? 'user root\n' : '');
    writeFileSync(path.join(dir, 'mosquitto.conf'), conf);
    const broker = new ManagedProcess('mosquitto', ['-c', path.join(dir, 'mosquitto.conf')], path.join(dir, 'mosquitto.log'));
    broker.start();
    try {
      const url = `mqtt://127.0.0.1:${port}`;
      const connect = () => mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 1000 });
      await waitUntil(`mosquitto on ${url}`, async () => { await (await connect()).endAsync(); return true; }, () => broker.running);
      const client = await connect();
      await client.subscribeAsync('homeiq/status');
      const received = new Promise<string>((resolve) => client.on('message', (_t, payload) => resolve(payload.toString())));
      await client.publishAsync('homeiq/status', 'online', { qos: 1, retain: true });
      expect(await received).toBe('online');
      await client.endAsync();
    } finally {
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the README's Home Assistant section", () => {
  it('gives three mqtt lines that load as a valid config, the password a secret from the environment', async () => {
    const block = /```yaml\n(mqtt:\n[\s\S]*?)```/.exec(text('README.md'))?.[1];
    expect(block?.trim().split('\n')).toHaveLength(4);
    const dir = mkdtempSync(path.join(tmpdir(), 'homeiq-readme-mqtt-'));
    try {
      writeFileSync(path.join(dir, 'sources.yaml'), block!);
      const loaded = await loadConfig(path.join(dir, 'sources.yaml'), { MQTT_PASSWORD: 'broker-pass-1' });
      expect(loaded.config.mqtt).toMatchObject({ url: 'mqtt://192.168.1.10:1883', username: 'homeiq', password: 'broker-pass-1', discovery_prefix: 'homeassistant', base_topic: 'homeiq' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the shipped configs', () => {
  it('load, name only installed plugins, and validate against their schemas; the Docker ones have the same sources', async () => {
    const loader = new PluginLoader(BUILTIN_PLUGINS);
    const local = await loadConfig(file('config/sources.yaml'), {});
    const docker = await loadConfig(file('config/sources.docker.yaml'), { INFLUXDB_TOKEN: 'not-a-real-token' });
    await expect(prepareSources(local, loader)).resolves.toHaveLength(Object.keys(local.config.sources).length);
    await expect(prepareSources(docker, loader)).resolves.toHaveLength(Object.keys(docker.config.sources).length);
    expect(local.config.storage.influxdb).toBeUndefined();
    expect(docker.config.storage.influxdb).toMatchObject({ api: 'v2', url: 'http://influxdb:8086', org: 'homeiq', bucket: 'homeiq' });
    expect(parse(text('config/sources.docker.yaml')).sources).toEqual(parse(text('config/sources.yaml')).sources);
    const shared = await loadConfig(file('config/sources.shared.yaml'), { INFLUXDB_TOKEN: 'not-a-real-token' });
    await expect(prepareSources(shared, loader)).resolves.toHaveLength(Object.keys(shared.config.sources).length);
    expect(shared.config.scheduler).toMatchObject({ type: 'redis', url: 'redis://redis:6379', prefix: 'homeiq' });
    expect(shared.config.storage.influxdb).toMatchObject({ api: 'v2', url: 'http://influxdb:8086' });
    expect(parse(text('config/sources.shared.yaml')).sources).toEqual(parse(text('config/sources.yaml')).sources);
    const plugins = new Set(Object.values(local.config.sources).map((s) => s.plugin));
    for (const p of BUILTIN_PLUGINS) expect(plugins, `config/sources.yaml lists ${p.id}`).toContain(p.id);
  });
});

describe('the Grafana dashboard', () => {
  const dashboard = JSON.parse(text('config/grafana/dashboards/homeiq.json'));
  const queries: string[] = dashboard.panels.flatMap((p: { targets: { query: string }[] }) => p.targets.map((t) => t.query));

  it('uses the provisioned data source', () => {
    const ds = parse(text('config/grafana/provisioning/datasources/influxdb.yaml')).datasources[0];
    for (const p of dashboard.panels) expect(p.datasource.uid).toBe(ds.uid);
    expect(ds.jsonData.version).toBe('Flux');
    expect(parse(text('config/grafana/provisioning/dashboards/homeiq.yaml')).providers[0].options.path).toBe('/var/lib/grafana/dashboards');
  });

  it('queries only measurements, tags and fields that the plugins write (CONTRACT §4)', () => {
    expect(queries.length).toBeGreaterThanOrEqual(6);
    const shown = new Set<string>();
    for (const q of queries) {
      const measurements = [...q.matchAll(/r\._measurement == "([a-z_]+)"/g)].map((m) => m[1]!);
      const fields = [...q.matchAll(/r\._field == "([a-z_]+)"/g)].map((m) => m[1]!);
      const tags = [...q.matchAll(/r\.([a-z_]+) (?:==|!=)/g)].map((m) => m[1]!).filter((t) => !t.startsWith('_'));
      for (const m of measurements) {
        expect(SCHEMA, `measurement ${m}`).toHaveProperty(m);
        shown.add(m);
      }
      const allowedFields = measurements.flatMap((m) => SCHEMA[m]!.fields);
      for (const f of fields) expect(allowedFields, `field ${f} in ${q}`).toContain(f);
      const allowedTags = measurements.flatMap((m) => SCHEMA[m]!.tags).concat(fields.length ? allowedFields : []);
      for (const t of tags) expect(allowedTags, `tag ${t} in ${q}`).toContain(t);
    }
    for (const m of ['carbon_intensity', 'air_quality', 'electricity_price', 'calendar_event']) expect(shown).toContain(m);
  });
});

describe('how node runs the host', () => {
  it('npm start, the Docker image and the homeiq command run the same built file under plain node', () => {
    const start = (JSON.parse(text('package.json')) as { scripts: { start: string } }).scripts.start;
    expect(start).toBe('exec node dist/homeiq.mjs start');
    const docker = text('Dockerfile');
    expect(docker).not.toMatch(/MALLOC_/);
    expect(docker).toMatch(/^CMD \["node", "dist\/homeiq\.mjs", "start"\]$/m);
    expect(text('core/cli/bin.mjs').split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(text('core/cli/bin.mjs')).toContain("import(pathToFileURL(BUNDLE).href)");
  });
});
