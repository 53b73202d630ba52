// The footprint baseline a Home Assistant user would run instead of the host: Node-RED 4 with
// node-red-contrib-influxdb, installed by the benchmark into a cache folder (never a project
// dependency) and run headless with one flow per upstream: inject (every 300 s, once at start)
// → http request → function (the answer mapped to points) → influxdb out (v1, precision s).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

const CACHE = path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'homeiq-bench', 'node-red');
const RED = path.join(CACHE, 'node_modules/node-red/red.js');

/** Installs Node-RED 4 and the InfluxDB nodes into the cache folder once; returns red.js. */
export function installNodeRed(): string {
  if (existsSync(RED) && existsSync(path.join(CACHE, 'node_modules/node-red-contrib-influxdb'))) return RED;
  mkdirSync(CACHE, { recursive: true });
  execFileSync('npm', ['install', '--prefix', CACHE, '--no-audit', '--no-fund', 'node-red@4', 'node-red-contrib-influxdb'], { stdio: ['ignore', 'ignore', 'inherit'] });
  return RED;
}

export interface NodeRedFlows {
  /** Upstream URLs, one flow each. */
  urls: string[];
  /** InfluxDB 1.x host port (loopback) and database. */
  influxPort: number;
  database: string;
  /** Node-RED's own HTTP port (the editor is disabled; the runtime still listens). */
  uiPort: number;
}

/** The flows: one tab per upstream. */
function flows(f: NodeRedFlows): unknown[] {
  const influx = { id: 'influx', type: 'influxdb', hostname: '127.0.0.1', port: String(f.influxPort), protocol: 'http', database: f.database, name: '', usetls: false, tls: '', influxdbVersion: '1.x', url: '', rejectUnauthorized: false };
  const nodes: unknown[] = [influx];
  f.urls.forEach((url, i) => {
    const z = `tab${i}`;
    const id = (n: string) => `${z}-${n}`;
    const mapToPoints = `msg.payload = msg.payload.hourly.map((h) => [{ value: h.value, time: new Date(h.time) }, { source: 'flow${i}' }]);\nreturn msg;`;
    nodes.push(
      { id: z, type: 'tab', label: `upstream ${i}`, disabled: false },
      { id: id('inject'), type: 'inject', z, name: '', props: [{ p: 'payload' }], repeat: '300', crontab: '', once: true, onceDelay: 0.1, topic: '', payload: '', payloadType: 'date', wires: [[id('http')]] },
      { id: id('http'), type: 'http request', z, name: '', method: 'GET', ret: 'obj', paytoqs: 'ignore', url, tls: '', persist: false, proxy: '', insecureHTTPParser: false, authType: '', senderr: false, headers: [], wires: [[id('fn')]] },
      { id: id('fn'), type: 'function', z, name: 'to points', func: mapToPoints, outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], wires: [[id('out')]] },
      { id: id('out'), type: 'influxdb out', z, influxdb: 'influx', name: '', measurement: 'forecast', precision: 's', retentionPolicy: '', database: f.database, precisionV18FluxV20: 'ms', retentionPolicyV18Flux: '', org: '', bucket: '', wires: [] },
    );
  });
  return nodes;
}

/** Writes a headless user folder (settings.js, flows.json) into `dir`; returns the arguments for node. */
export function nodeRedArgs(dir: string, f: NodeRedFlows): string[] {
  mkdirSync(dir, { recursive: true });
  const settings = {
    uiPort: f.uiPort,
    uiHost: '127.0.0.1',
    disableEditor: true,
    flowFile: 'flows.json',
    credentialSecret: false,
    diagnostics: { enabled: false, ui: false },
    runtimeState: { enabled: false, ui: false },
    telemetry: { enabled: false },
    logging: { console: { level: 'warn', metrics: false, audit: false } },
  };
  writeFileSync(path.join(dir, 'settings.js'), `module.exports = ${JSON.stringify(settings, null, 2)};\n`);
  writeFileSync(path.join(dir, 'flows.json'), JSON.stringify(flows(f), null, 2));
  return [installNodeRed(), '-u', dir, '-s', path.join(dir, 'settings.js'), 'flows.json'];
}
