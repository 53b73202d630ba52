import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, startCliHost, type CliHost } from '../faults/cli-host.js';
import { fakeCarbon, startFakeElectricityMaps, type FakeElectricityMaps } from '../fakes/electricity-maps.js';
import { fakeIntensity, startFakeUkCarbon, type FakeUkCarbon } from '../fakes/uk-carbon-intensity.js';
import { eventually } from '../support/eventually.js';
import { localStorageYaml } from '../support/temp-config.js';

// The built program, as `npm start` runs it, with the carbon sources against their fakes: the
// points reach storage (the local store's line protocol files).

let host: CliHost | undefined;
let neso: FakeUkCarbon | undefined;
let maps: FakeElectricityMaps | undefined;

beforeAll(buildCli, 120_000);
afterEach(async () => {
  await host?.stop();
  await neso?.close();
  await maps?.close();
  host = undefined;
  maps = undefined;
  neso = undefined;
});

/** Every line the local store under `dir` holds. */
function storedLines(dir: string): string[] {
  const folder = path.join(dir, 'points');
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((f) => f.endsWith('.lp'))
    .flatMap((f) => readFileSync(path.join(folder, f), 'utf8').split('\n').filter(Boolean));
}

describe('carbon sources end to end through the built host', () => {
  it('uk-carbon-intensity: the 48-hour forecast, the actual value and the mix reach storage; health says operational', async () => {
    neso = await startFakeUkCarbon();
    host = await startCliHost(`  uk-carbon:\n    plugin: uk-carbon-intensity\n    interval: 1h\n    options:\n      base_url: ${neso.url}\n`, {}, {
      storage: (dir) => `${localStorageYaml(dir)}  flush_interval: 1s\n`,
    });
    const dir = host.dir;
    const forecastOf = (lines: string[]) => lines.filter((l) => l.startsWith('carbon_intensity,region=GB,series=forecast,signal_type=co2_direct,source=uk-carbon '));
    // The run's points span three day files, written one after the other: wait for the whole run.
    const stored = () => {
      const lines = storedLines(dir);
      return lines.filter((l) => l.startsWith('generation_mix,')).length >= 9 && forecastOf(lines).length >= 96;
    };
    await eventually('the first run in storage', stored, 20_000);
    const lines = storedLines(dir);
    const forecast = forecastOf(lines);
    expect(forecast).toHaveLength(96);
    // The first period is the half hour the run happened in (this one, or the one before at a boundary).
    const first = Math.min(...forecast.map((l) => Number(l.slice(l.lastIndexOf(' ') + 1, -6))));
    expect(Date.now() - first).toBeLessThan(3_600_000);
    expect(forecast).toContainEqual(expect.stringContaining(`value=${fakeIntensity(0, first)} ${first}000000`));
    expect(lines.some((l) => l.startsWith('carbon_intensity,region=GB,series=historical,'))).toBe(true);
    expect(lines.filter((l) => l.startsWith('generation_mix,fuel='))).toHaveLength(9);
    const { body } = await host.get('/health');
    expect(body.sources['uk-carbon']).toMatchObject({ status: 'healthy', status_detail: 'operational' });
  }, 60_000);

  it('electricity-maps on the free tier: latest and 24 hours reach storage, the forecast is access_denied for that part, the token never shows', async () => {
    const token = 'em-e2e-token-7d3f1b';
    maps = await startFakeElectricityMaps();
    maps.addToken(token);
    const source = `  grid:\n    plugin: electricity-maps\n    interval: 1h\n    credentials:\n      api_key: \${EM_TOKEN}\n    options:\n      base_url: ${maps.url}\n      zone: DE\n`;
    host = await startCliHost(source, {}, { env: { EM_TOKEN: token }, storage: (dir) => `${localStorageYaml(dir)}  flush_interval: 1s\n` });
    const dir = host.dir;
    await eventually('the first run in storage', () => storedLines(dir).filter((l) => l.startsWith('carbon_intensity,region=DE,')).length >= 24, 20_000);
    const lines = storedLines(dir).filter((l) => l.startsWith('carbon_intensity,region=DE,series=historical,signal_type=co2_lifecycle,source=grid '));
    expect(lines).toHaveLength(24);
    const hour = Math.max(...lines.map((l) => Number(l.slice(l.lastIndexOf(' ') + 1, -6))));
    expect(Date.now() - hour).toBeLessThan(2 * 3_600_000);
    expect(lines).toContainEqual(expect.stringContaining(`value=${fakeCarbon('DE', hour)} ${hour}000000`));
    const { body } = await host.get('/health');
    expect(body.sources.grid).toMatchObject({ status: 'healthy', status_detail: 'operational', item_errors: [{ item: 'forecast', message: expect.stringContaining("not in this token's plan") }] });
    expect(maps.requests.map((r) => r.path)).toContain('/v3/carbon-intensity/forecast');
    expect(JSON.stringify(body) + host.output()).not.toContain(token);
  }, 60_000);
});
