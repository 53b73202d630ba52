import { readFileSync } from 'node:fs';
import { loadConfig } from '../../../core/config/load.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestSource, type TestSource } from '../../../core/testkit/index.js';
import plugin from '../../../plugins/watttime/index.js';
import { fakeIndexValue, fakeValue, startFakeWattTime, type FakeWattTime, type WattTimeAccess } from '../../fakes/watttime.js';
import { describeGoldenCases, type GoldenCase } from '../../support/golden-cases.js';
import { describeLifecycle } from '../../support/lifecycle-suite.js';
import { tempConfig } from '../../support/temp-config.js';

// Golden cases: golden/cases/<case>.json holds recorded upstream answers, each for one endpoint
// (inline, or a recorded body file of golden/), and what the source makes of them through the real
// runtime against the fake WattTime: its state, its error, and the line protocol written to InfluxDB.
// Endpoints a case does not record (the login, the plan) are answered by the fake itself.

const USER = { username: 'grid-watcher', password: 'Gr1d-carbon!' };

let fake: FakeWattTime | undefined;
let src: TestSource | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await src?.stop();
  await fake?.close();
  src = undefined;
  fake = undefined;
});

describeGoldenCases<GoldenCase & { access?: WattTimeAccess[] }, FakeWattTime>('watttime', {
  dir: new URL('./golden/cases/', import.meta.url),
  make: async (golden) => {
    // Only the clock is frozen (timers stay real): the plugin, the fake and the runtime agree on now.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(golden.now));
    fake = await startFakeWattTime();
    fake.addUser(USER.username, USER.password, golden.access);
    src = await createTestSource({ plugin, id: 'carbon', options: { base_url: fake.url, retries: 0, ...golden.options }, credentials: USER });
    return { fake, src };
  },
  error: 'contained',
  check: (source) => expect(source.logs()).not.toContain(USER.password),
});

describe('watttime requests', () => {
  it('logs in once, reads the plan, then the forecast, index and history of each region', async () => {
    fake = await startFakeWattTime();
    fake.addUser(USER.username, USER.password);
    src = await createTestSource({ plugin, id: 'carbon', options: { base_url: fake.url, horizon_hours: 2, backfill: 1 }, credentials: USER });
    expect((await src.run()).ok).toBe(true);
    expect(fake.requests.map((r) => [r.path, r.auth, r.status])).toEqual([
      ['/login', 'basic', 200],
      ['/v3/my-access', 'bearer', 200],
      ['/v3/forecast', 'bearer', 200],
      ['/v3/signal-index', 'bearer', 200],
      ['/v3/historical', 'bearer', 200],
    ]);
    expect(fake.requests[2]!.query).toEqual({ region: 'CAISO_NORTH', signal_type: 'co2_moer', horizon_hours: '2' });
    const history = fake.requests[4]!.query;
    expect(Date.parse(history.end!) - Date.parse(history.start!)).toBe(3_600_000);
    const forecast = src.points.filter((p) => p.tags.series === 'forecast');
    expect(forecast).toHaveLength(24);
    // The first forecast point is the current 5-minute period.
    expect(forecast[0]!.time.getTime()).toBe(Math.floor(Date.now() / 300_000) * 300_000);
    for (const p of src.points) {
      const expected = p.tags.series === 'index' ? fakeIndexValue('CAISO_NORTH', p.time) : fakeValue('CAISO_NORTH', 'co2_moer', p.time);
      expect(p.fields.value).toBe(expected);
    }
  });

  it('shows meta.warnings in health and logs each once, however many runs repeat it', async () => {
    fake = await startFakeWattTime();
    fake.addUser(USER.username, USER.password);
    fake.setWarnings([{ type: 'MISSING_DATA', message: 'Data for 3 points was imputed' }]);
    src = await createTestSource({ plugin, id: 'carbon', options: { base_url: fake.url, backfill: 1 }, credentials: USER });
    await src.run();
    await src.run();
    expect(src.health().warnings).toEqual(['MISSING_DATA: Data for 3 points was imputed']);
    expect(src.logs().split('\n').filter((l) => l.includes('MISSING_DATA'))).toHaveLength(1);
    fake.setWarnings([]);
    await src.run();
    expect(src.health().warnings).toEqual([]);
  });

  it('answers /latest with the value in force now for each series, not the far end of the forecast', async () => {
    fake = await startFakeWattTime();
    fake.addUser(USER.username, USER.password);
    src = await createTestSource({ plugin, id: 'carbon', options: { base_url: fake.url, backfill: 1 }, credentials: USER });
    await src.run();
    const now = Math.floor(Date.now() / 300_000) * 300_000;
    const latest = src.latest() as { points: { time: string; tags: Record<string, string>; fields: { value: number } }[] };
    expect(latest.points.map((p) => p.tags.series).sort()).toEqual(['forecast', 'historical', 'index']);
    for (const p of latest.points) expect(Date.parse(p.time)).toBe(now);
  });
});

describe('watttime README', () => {
  const sample = /```yaml\n([\s\S]*?)```/.exec(readFileSync(new URL('../../../plugins/watttime/README.md', import.meta.url), 'utf8'))![1]!;
  const env = { WATTTIME_USERNAME: USER.username, WATTTIME_PASSWORD: USER.password };

  it.each([
    [{}, ['CAISO_NORTH']],
    [{ GRID_REGION: 'CAISO_NORTH,PSCO' }, ['CAISO_NORTH', 'PSCO']],
  ])('holds the default config entry, which runs with the seed variables %j', async (extra, regions) => {
    const { config } = await loadConfig(tempConfig(sample).file, { ...env, ...extra });
    const entry = config.sources.carbon!;
    expect(entry.plugin).toBe('watttime');
    fake = await startFakeWattTime();
    fake.addUser(USER.username, USER.password, regions.map((region) => ({ region, signal_type: 'co2_moer' })));
    src = await createTestSource({ plugin, id: 'carbon', options: { ...entry.options, base_url: fake.url }, credentials: entry.credentials });
    expect((await src.run()).ok).toBe(true);
    expect(src.health().details).toMatchObject({ regions });
  });
});

describeLifecycle('watttime', {
  plugin,
  options: { backfill: 1 },
  credentials: USER,
  badCredentials: { username: USER.username, password: 'not-the-Passw0rd!' },
  async startFake() {
    const fake = await startFakeWattTime();
    fake.addUser(USER.username, USER.password);
    return {
      url: fake.url,
      requestCount: () => fake.requests.length,
      close: () => fake.close(),
      revokeTokens: () => fake.revokeAllTokens(),
      loginCount: () => fake.loginCount,
    };
  },
  checkPoints(points) {
    for (const p of points) {
      expect(p.measurement).toBe('carbon_intensity');
      expect(Object.keys(p.tags).sort()).toEqual(['region', 'series', 'signal_type', 'source']);
    }
    expect(new Set(points.map((p) => p.tags.series))).toEqual(new Set(['forecast', 'index', 'historical']));
  },
});
