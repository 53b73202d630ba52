// What the storage benchmarks share: the points of one source run, and the raw bulk POST of the
// same line protocol to influxd (the baseline: bodies built before the clock starts).
import http from 'node:http';
import type { SourcePoint } from '../../../core/plugin-api/point.js';
import { toLineProtocol } from '../../../core/storage/line-protocol.js';

/**
 * One source run: `count` weather points from index `first` (50 stations a second). Generated when
 * needed, as sources produce them, so that the heap holds only what is in flight, as in the host.
 */
export function makeRun(round: number, first: number, count: number, source = 'bench'): SourcePoint[] {
  const base = Date.UTC(2026, 0, 1) + round * 100_000_000;
  return Array.from({ length: count }, (_, k) => {
    const i = first + k;
    return {
      measurement: 'weather',
      tags: { station: `station_${i % 50}`, provider: 'open_meteo', source },
      fields: { temperature_c: 10 + (i % 300) / 10, relative_humidity_pct: 40 + (i % 60), wind_speed_kmh: (i % 90) / 3, weather_code: { int: i % 4 } },
      time: new Date(base + Math.floor(i / 50) * 1000),
    };
  });
}

export function post(agent: http.Agent, url: string, path: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, { method: 'POST', agent, headers: { 'content-type': 'text/plain; charset=utf-8' } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 204 ? resolve() : reject(new Error(`raw write answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function query(url: string, q: string, db?: string): Promise<unknown> {
  const res = await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q, ...(db ? { db } : {}) }) });
  return res.json();
}

/** Points of measurement `weather` in `db`. */
export async function count(url: string, db: string): Promise<number> {
  const json = (await query(url, 'SELECT count("temperature_c") FROM "weather"', db)) as { results: Array<{ series?: Array<{ values: number[][] }> }> };
  return json.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
}

/**
 * Raw bulk POST: `total` points of runs of `runSize` as line protocol (precision s), joined into
 * bodies of `batch` lines before the clock starts (the server's own ceiling for these bytes), POSTed
 * one request at a time over one keep-alive connection. Returns points per second.
 */
export async function rawBulkPost(url: string, db: string, round: number, total: number, runSize: number, batch: number): Promise<number> {
  const lines: string[] = [];
  for (let i = 0; i < total; i += runSize) lines.push(...toLineProtocol(makeRun(round, i, runSize), 's').split('\n'));
  const bodies: string[] = [];
  for (let i = 0; i < lines.length; i += batch) bodies.push(lines.slice(i, i + batch).join('\n'));
  const agent = new http.Agent({ keepAlive: true });
  const started = performance.now();
  for (const body of bodies) await post(agent, url, `/write?db=${db}&precision=s`, body);
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return total / seconds;
}
