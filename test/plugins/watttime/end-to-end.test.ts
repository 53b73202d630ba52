import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { startHost, type RunningHost } from '../../../core/main.js';
import { LogCapture } from '../../../core/testkit/index.js';
import { influxQuery } from '../../support/influxd-server.js';
import { createDatabase, eventually, uniqueName } from '../../support/storage-fixture.js';
import { tempConfig } from '../../support/temp-config.js';
import { fakeIndexValue, fakeValue, PERIOD_MS, startFakeWattTime, type FakeWattTime } from '../../fakes/watttime.js';

// The whole lifecycle of a watttime source through the host into the real InfluxDB 1.x started by
// test/setup/servers.ts: standby without credentials, activation when they appear, login, plan
// check, forecast, index and backfilled history written and read back with InfluxQL, a revoked
// token that costs one re-login, the health API and /latest along the way.

const influxUrl = inject('influxV1Url');
const PLUGIN = fileURLToPath(new URL('../../../plugins/watttime/index.ts', import.meta.url));
const USER = { WATTTIME_USERNAME: 'grid-watcher', WATTTIME_PASSWORD: 'Gr1d-carbon!' };

let fake: FakeWattTime | undefined;
let running: RunningHost | undefined;
afterEach(async () => {
  await running?.stop(1000);
  await fake?.close();
  running = undefined;
  fake = undefined;
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const getJson = async (url: string): Promise<any> => (await fetch(url)).json();

function config(dir: string, db: string, fakeUrl: string): string {
  return `server:
  host: 127.0.0.1
storage:
  influxdb:
    url: ${influxUrl}
    api: v1
    database: ${db}
  spool_dir: ${path.join(dir, 'spool')}
  flush_interval: 100ms
sources:
  carbon:
    plugin: ${PLUGIN}
    interval: 1h
    credentials:
      username: \${WATTTIME_USERNAME}
      password: \${WATTTIME_PASSWORD}
    options:
      region: \${GRID_REGION:-CAISO_NORTH}
      base_url: ${fakeUrl}
      horizon_hours: 1
      backfill: 2
`;
}

/** Every stored carbon_intensity point of the source, by series, as [time ms, value]. */
async function stored(db: string): Promise<Record<string, [number, number][]>> {
  const q = `SELECT "value" FROM "carbon_intensity" WHERE "source" = 'carbon' GROUP BY "series", "region", "signal_type"`;
  const result = await influxQuery(influxUrl, q, db);
  const out: Record<string, [number, number][]> = {};
  for (const s of result.results[0]?.series ?? []) {
    expect(s.tags).toMatchObject({ region: 'CAISO_NORTH', signal_type: 'co2_moer' });
    out[s.tags!.series!] = s.values.map((row) => [row[0] as number, row[1] as number]);
  }
  return out;
}

describe('watttime end to end: host, fake WattTime, real InfluxDB 1.x', () => {
  it('waits for credentials, then writes forecast, index and history that read back as served', async () => {
    fake = await startFakeWattTime();
    fake.addUser(USER.WATTTIME_USERNAME, USER.WATTTIME_PASSWORD);
    const db = uniqueName('watttime');
    await createDatabase(influxUrl, db);
    const cfg = tempConfig('');
    cfg.write(config(cfg.dir, db, fake.url));
    const env: NodeJS.ProcessEnv = {};
    const logs = new LogCapture();
    running = await startHost({ configFile: cfg.file, env, logDestination: logs, port: 0, watch: false, backoffBaseMs: 5 });
    const health = () => getJson(`${running!.url}/health/sources/carbon`);

    // No credentials: standby, with the seed's variable names in the hint, and no call upstream.
    expect(await health()).toMatchObject({ plugin: PLUGIN, status: 'healthy', status_detail: 'credentials_missing' });
    expect((await health()).hint).toBe('Set WATTTIME_USERNAME and WATTTIME_PASSWORD; the source starts by itself');
    expect(fake.requests).toHaveLength(0);

    Object.assign(env, USER);
    await running.reloader.reload('credentials set');
    await eventually('the first run', async () => (await health()).status_detail === 'operational');
    await running.storage.flush();
    const started = Date.now();
    const points = await stored(db);
    expect(Object.keys(points).sort()).toEqual(['forecast', 'historical', 'index']);
    expect(points.forecast).toHaveLength(12);
    expect(points.index).toHaveLength(1);
    expect(points.historical!.length).toBeGreaterThanOrEqual(24);
    for (const [series, rows] of Object.entries(points)) {
      for (const [time, value] of rows) {
        expect(time % PERIOD_MS).toBe(0);
        expect(value).toBe(series === 'index' ? fakeIndexValue('CAISO_NORTH', time) : fakeValue('CAISO_NORTH', 'co2_moer', time));
      }
    }
    const history = points.historical!.map(([t]) => t);
    expect(history.every((t, i) => i === 0 || t - history[i - 1]! === PERIOD_MS)).toBe(true);
    expect(started - history[0]!).toBeGreaterThanOrEqual(2 * 3_600_000 - PERIOD_MS);

    // A revoked token costs one login on the next run, and nothing fails.
    fake.revokeAllTokens();
    expect((await running.host.runner('carbon')!.run()).ok).toBe(true);
    expect(fake.loginCount).toBe(2);
    const after = await health();
    expect(after).toMatchObject({ status: 'healthy', status_detail: 'operational', token_refresh_count: 2, consecutive_failures: 0, last_error: null });
    expect(after.details).toMatchObject({ regions: ['CAISO_NORTH'], signal_type: 'co2_moer' });
    await eventually('last_written', async () => (await health()).last_written !== null);

    const latest = await getJson(`${running.url}/api/sources/carbon/latest`);
    expect(latest.points.map((p: { tags: { series: string } }) => p.tags.series).sort()).toEqual(['forecast', 'historical', 'index']);

    await running.stop(1000);
    running = undefined;
    expect(logs.text()).not.toContain(USER.WATTTIME_PASSWORD);
    for (const token of fake.tokensIssued) expect(logs.text()).not.toContain(token);
  });
});
