import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../core/plugin-api/index.js';
import { createTestSource, type TestSource } from '../../../core/testkit/index.js';
import plugin from '../../../plugins/watttime/index.js';
import { INVALID_SCOPE_MESSAGE, startFakeWattTime, type FakeWattTime, type WattTimeAccess } from '../../fakes/watttime.js';

// Credentials, plans and regions through the real runtime against the fake WattTime: what a user
// sees in the health API, and which requests reach the upstream.

const USER = { username: 'grid-watcher', password: 'Gr1d-carbon!' };
let fake: FakeWattTime | undefined;
let src: TestSource | undefined;
afterEach(async () => {
  await src?.stop();
  await fake?.close();
  src = undefined;
  fake = undefined;
});

async function make(options: Record<string, unknown>, access?: WattTimeAccess[], credentials = USER): Promise<{ fake: FakeWattTime; src: TestSource }> {
  fake = await startFakeWattTime();
  fake.addUser(USER.username, USER.password, access);
  src = await createTestSource({ plugin, id: 'carbon', options: { base_url: fake.url, retries: 0, backfill: 1, ...options }, credentials });
  return { fake, src };
}

const paths = (f: FakeWattTime) => f.requests.map((r) => `${r.path}${r.query.region ? ` ${r.query.region}` : ''}`);

describe('watttime credentials and tokens', () => {
  it('logs in again once after a 401 on a data call and never sends an expired token', async () => {
    const { fake, src } = await make({});
    expect((await src.run()).ok).toBe(true);
    fake.revokeAllTokens();
    const before = fake.requests.length;
    expect((await src.run()).ok).toBe(true);
    expect(fake.loginCount).toBe(2);
    // my-access is read once; the second run's first call gets the 401, then one login and the retry.
    expect(fake.requests.slice(before, before + 3).map((r) => [r.path, r.status])).toEqual([
      ['/v3/forecast', 401],
      ['/login', 200],
      ['/v3/forecast', 200],
    ]);
    expect(fake.expiredTokenRequests).toBe(0);
    expect(src.health()).toMatchObject({ status_detail: 'operational', consecutive_failures: 0, token_refresh_count: 2 });
  });

  it('takes the token expiry from the JWT: 30 minutes after the login', async () => {
    const { src } = await make({});
    await src.run();
    expect(Math.abs(Date.parse(src.health().token_expires_at!) - (Date.now() + 1_800_000))).toBeLessThan(5000);
  });

  it('reports a refused password (JSON 403 at /login) as credentials_invalid and calls nothing else', async () => {
    const { fake, src } = await make({}, undefined, { username: USER.username, password: 'Wr0ng-password!' });
    await src.run();
    expect(src.health()).toMatchObject({ status: 'error', status_detail: 'credentials_invalid' });
    expect(src.health().last_error).toMatchObject({ message: 'WattTime refused the username or password (HTTP 403 at /login)', http_status: 403 });
    expect(paths(fake)).toEqual(['/login']);
  });
});

describe('watttime plans: what is not in the plan is denied for that part only', () => {
  it('puts the whole source in access_denied when the plan covers none of what is asked', async () => {
    const { fake, src } = await make({ region: 'PJM_DC', series: ['forecast', 'historical'] });
    await src.run();
    expect(src.health()).toMatchObject({ status: 'error', status_detail: 'access_denied' });
    expect(src.health().last_error?.message).toBe('your WattTime plan does not include forecasts for PJM_DC; free accounts get CAISO_NORTH');
    expect(paths(fake)).toEqual(['/login', '/v3/my-access']);
  });

  it('keeps the allowed parts running and never requests the others', async () => {
    const { fake, src } = await make({ region: ['CAISO_NORTH', 'PJM_DC'] });
    expect((await src.run()).ok).toBe(true);
    await src.run();
    const h = src.health();
    expect([h.status, h.status_detail]).toEqual(['healthy', 'operational']);
    expect(h.item_errors).toEqual([
      { item: 'PJM_DC forecast', message: 'your WattTime plan does not include forecasts for PJM_DC; free accounts get CAISO_NORTH' },
      { item: 'PJM_DC historical', message: 'your WattTime plan does not include historical data for PJM_DC; free accounts get CAISO_NORTH' },
    ]);
    expect(h.details).toMatchObject({ regions: ['CAISO_NORTH', 'PJM_DC'], not_in_plan: ['PJM_DC forecast', 'PJM_DC historical'] });
    expect(paths(fake).filter((p) => p.endsWith('PJM_DC'))).toEqual(['/v3/signal-index PJM_DC', '/v3/signal-index PJM_DC']);
    const series = (region: string) => [...new Set(src.points.filter((p) => p.tags.region === region).map((p) => p.tags.series))].sort();
    expect(series('CAISO_NORTH')).toEqual(['forecast', 'historical', 'index']);
    expect(series('PJM_DC')).toEqual(['index']);
    expect(fake.counts['/v3/my-access']).toBe(1);
  });

  it('stops asking for a part the upstream refuses with "Invalid scope" until the plan is read again', async () => {
    const { fake, src } = await make({ region: 'PSCO' }, [{ region: 'PSCO', signal_type: 'co2_moer' }]);
    fake.failNext(1, 403, { path: '/v3/historical', body: { error: 'FORBIDDEN', message: INVALID_SCOPE_MESSAGE } });
    expect((await src.run()).ok).toBe(true);
    expect(src.health().item_errors).toEqual([
      { item: 'PSCO historical', message: 'your WattTime plan does not include historical data for PSCO; free accounts get CAISO_NORTH' },
    ]);
    await src.run();
    expect(fake.counts['/v3/historical']).toBe(1);
    expect(fake.counts['/v3/forecast']).toBe(2);
  });

  it('reads a list of regions given as one comma-separated string (as ${GRID_REGION} gives it)', async () => {
    const access: WattTimeAccess[] = [{ region: 'CAISO_NORTH', signal_type: 'co2_moer' }, { region: 'PSCO', signal_type: 'co2_moer' }];
    const { src } = await make({ region: 'CAISO_NORTH, PSCO', series: ['forecast'], horizon_hours: 0 }, access);
    await src.run();
    expect(src.points.map((p) => p.tags.region).sort()).toEqual(['CAISO_NORTH', 'PSCO']);
  });
});

describe('watttime location', () => {
  it('resolves latitude and longitude to a region once, shows it in details and reads that region', async () => {
    const { fake, src } = await make({ latitude: 39.7522, longitude: -105.0 }, [{ region: 'PSCO', signal_type: 'co2_moer' }]);
    expect((await src.run()).ok).toBe(true);
    await src.run();
    expect(fake.counts['/v3/region-from-loc']).toBe(1);
    expect(fake.requests.find((r) => r.path === '/v3/region-from-loc')!.query).toEqual({ latitude: '39.7522', longitude: '-105', signal_type: 'co2_moer' });
    expect(src.health().details).toMatchObject({
      regions: ['PSCO'],
      location: { latitude: 39.7522, longitude: -105, region: 'PSCO', region_full_name: 'Public Service Co of Colorado' },
    });
    expect(new Set(src.points.map((p) => p.tags.region))).toEqual(new Set(['PSCO']));
  });

  it('reports a location outside coverage as a config error and reads nothing', async () => {
    const { fake, src } = await make({ latitude: 0, longitude: 0 });
    await src.run();
    expect(src.health()).toMatchObject({ status: 'error', status_detail: 'error', hint: 'Fix the source in the config file' });
    expect(src.health().last_error?.message).toBe('WattTime has no co2_moer coverage at latitude 0, longitude 0; set options.region instead');
    expect(paths(fake)).toEqual(['/login', '/v3/region-from-loc']);
  });

  it('refuses options outside the schema before anything runs', async () => {
    fake = await startFakeWattTime();
    const make = (options: Record<string, unknown>) => createTestSource({ plugin, options: { base_url: fake!.url, ...options }, credentials: USER });
    await expect(make({ signal_type: 'co2' })).rejects.toThrow(/signal_type: must be one of: co2_moer, co2_aoer, health_damage/);
    await expect(make({ horizon_hours: 73 })).rejects.toThrow(/horizon_hours: must be between 0 and 72/);
    await expect(make({ latitude: 40 })).rejects.toThrow(ConfigError);
    await expect(make({ series: ['forecast', 'prices'] })).rejects.toThrow(/series.1: must be one of: forecast, index, historical/);
    await expect(make({ region: 'CAISO NORTH' })).rejects.toThrow(/region: does not match any of the allowed forms/);
    expect(fake.requests).toHaveLength(0);
  });
});
