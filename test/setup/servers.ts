import type { TestProject } from 'vitest/node';
import { InfluxdServer } from '../support/influxd-server.js';
import { MosquittoServer, type BrokerLogin } from '../support/mosquitto-server.js';
import { RedisServer } from '../support/redis-server.js';
import { ensureInstalled, INFLUXDB_PACKAGE, MOSQUITTO_PACKAGE, REDIS_PACKAGE, VICTORIA_PACKAGE } from '../support/server-packages.js';
import { VictoriaServer } from '../support/victoria-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the shared InfluxDB 1.x (influxd 1.6.7): the v1 write API and InfluxQL. */
    influxV1Url: string;
    /** Base URL of the shared VictoriaMetrics: the InfluxDB v2 write API at /api/v2/write. */
    victoriaUrl: string;
    /** The shared Mosquitto's listener that accepts anyone (`mqtt://127.0.0.1:PORT`). */
    mqttUrl: string;
    /** The shared Mosquitto's listener that requires `mqttLogin`. */
    mqttAuthUrl: string;
    mqttLogin: BrokerLogin;
    /** The shared Redis (`redis://127.0.0.1:PORT`, no persistence), for the shared scheduler. */
    redisUrl: string;
  }
}

/**
 * Global setup of the suite: installs InfluxDB 1.x, VictoriaMetrics, Mosquitto and Redis when they are
 * missing, starts one of each (in parallel) on free loopback ports with temporary data folders,
 * checks that the servers answering are the ones started, hands their URLs to the tests
 * (`inject('influxV1Url')`, `inject('victoriaUrl')`, `inject('mqttUrl')`, `inject('redisUrl')`…), and stops and removes
 * them at the end. Tests that stop a server (outages) start private instances through test/support/.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  ensureInstalled([INFLUXDB_PACKAGE, VICTORIA_PACKAGE, MOSQUITTO_PACKAGE, REDIS_PACKAGE]);
  const started = await Promise.allSettled([InfluxdServer.start(), VictoriaServer.start(), MosquittoServer.start(), RedisServer.start()]);
  const [influx, victoria, mosquitto, redis] = started;
  const teardown = async (): Promise<void> => {
    await Promise.all(started.map(async (s) => (s.status === 'fulfilled' ? s.value.destroy() : undefined)));
  };
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed || influx.status !== 'fulfilled' || victoria.status !== 'fulfilled' || mosquitto.status !== 'fulfilled' || redis.status !== 'fulfilled') {
    await teardown();
    const reason = failed?.reason as Error;
    throw new Error(`test servers: could not start: ${reason.message}`, { cause: reason });
  }
  project.provide('influxV1Url', influx.value.url);
  project.provide('victoriaUrl', victoria.value.url);
  project.provide('mqttUrl', mosquitto.value.url);
  project.provide('mqttAuthUrl', mosquitto.value.authUrl);
  project.provide('mqttLogin', mosquitto.value.login);
  project.provide('redisUrl', redis.value.url);
  return teardown;
}
