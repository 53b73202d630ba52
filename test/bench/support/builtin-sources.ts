import { BUILTIN_PLUGINS } from '../../../core/builtin-plugins.js';
import { startFakeAirNow } from '../../fakes/airnow.js';
import { startFakeAwattar } from '../../fakes/awattar.js';
import { startFakeElectricityMaps } from '../../fakes/electricity-maps.js';
import { startFakeEntsoe } from '../../fakes/entsoe.js';
import { startFakeGoogle } from '../../fakes/google-calendar.js';
import { rollingFeed, SECRET_FEED_PATH, startFakeIcs } from '../../fakes/ics.js';
import { startFakeOctopus } from '../../fakes/octopus-energy.js';
import { startFakeOpenMeteo } from '../../fakes/open-meteo.js';
import { startFakeOpenWeatherMap } from '../../fakes/openweathermap.js';
import { startFakeTibber } from '../../fakes/tibber.js';
import { startFakeUkCarbon } from '../../fakes/uk-carbon-intensity.js';
import { startFakeWattTime } from '../../fakes/watttime.js';

/** The fake upstreams of every built-in plugin, and the `sources:` YAML that points at them. */
export interface BuiltinFakes {
  /** YAML under `sources:`: one source of every built-in plugin, credentials filled in. */
  yaml: string;
  /** Source ids, one per built-in plugin. */
  ids: string[];
  close(): Promise<void>;
}

const WATTTIME_USER = { username: 'bench-user', password: 'bench-Pa55!' };
const OWM_KEY = 'owm-bench-key-0123';
const EM_TOKEN = 'em-bench-token-0123';

/** A YAML source entry (hourly: the benchmarks measure the first run, not the schedule). */
function entry(id: string, plugin: string, options: Record<string, unknown>, credentials: Record<string, string> = {}): string {
  const block = (name: string, o: Record<string, unknown>) =>
    Object.keys(o).length === 0 ? '' : `    ${name}:\n${Object.entries(o).map(([k, v]) => `      ${k}: ${JSON.stringify(v)}\n`).join('')}`;
  return `  ${id}:\n    plugin: ${plugin}\n    interval: 1h\n${block('credentials', credentials)}${block('options', { retries: 0, ...options })}`;
}

/** Octopus Agile rows: the half hours of today and tomorrow (UTC), newest first. */
function halfHourRates(): unknown[] {
  const day = Math.floor(Date.now() / 86_400_000) * 86_400_000;
  return Array.from({ length: 96 }, (_, i) => {
    const from = day + (95 - i) * 1_800_000;
    const price = 10 + (i % 7);
    return { value_exc_vat: price, value_inc_vat: price * 1.05, valid_from: new Date(from).toISOString().replace('.000', ''), valid_to: new Date(from + 1_800_000).toISOString().replace('.000', ''), payment_method: null };
  });
}

/**
 * Starts one fake per built-in plugin (in this process: the host measured runs in another) and
 * writes a source for each. WattTime joins once it is registered in core/builtin-plugins.ts.
 */
export async function startBuiltinFakes(): Promise<BuiltinFakes> {
  const [airnow, meteo, owm, tibber, octopus, entsoe, awattar, google, ics] = await Promise.all([
    startFakeAirNow(),
    startFakeOpenMeteo(),
    startFakeOpenWeatherMap(OWM_KEY),
    startFakeTibber(),
    startFakeOctopus(),
    startFakeEntsoe(),
    startFakeAwattar(),
    startFakeGoogle({ seed: true }),
    startFakeIcs(),
  ]);
  ics.setFeed(SECRET_FEED_PATH, rollingFeed());
  octopus.setRates('AGILE-24-10-01', 'E-1R-AGILE-24-10-01-C', halfHourRates());
  const ukCarbon = await startFakeUkCarbon();
  const electricityMaps = await startFakeElectricityMaps();
  electricityMaps.addToken(EM_TOKEN);
  const closers: Array<{ close(): Promise<void> }> = [airnow, meteo, owm, tibber, octopus, entsoe, awattar, google, ics, ukCarbon, electricityMaps];
  const place = { latitude: 52.52, longitude: 13.41 };
  const sources: Record<string, string> = {
    airnow: entry('airnow', 'airnow', { base_url: airnow.url, zip_code: '20002' }, { api_key: airnow.key }),
    'open-meteo': entry('weather', 'open-meteo', { base_url: meteo.url, ...place }),
    'open-meteo-air-quality': entry('air-quality', 'open-meteo-air-quality', { base_url: meteo.url, ...place }),
    openweathermap: entry('openweathermap', 'openweathermap', { base_url: owm.url, ...place }, { api_key: OWM_KEY }),
    tibber: entry('tibber', 'tibber', { base_url: tibber.url }, { access_token: tibber.token }),
    'octopus-energy': entry('octopus', 'octopus-energy', { base_url: octopus.url, product_code: 'AGILE-24-10-01', region: 'C' }),
    entsoe: entry('entsoe', 'entsoe', { base_url: entsoe.url, zone: '10Y1001A1001A82H' }, { security_token: entsoe.token }),
    awattar: entry('awattar', 'awattar', { base_url: awattar.url, country: 'DE' }),
    'uk-carbon-intensity': entry('uk-carbon', 'uk-carbon-intensity', { base_url: ukCarbon.url }),
    'electricity-maps': entry('electricity-maps', 'electricity-maps', { base_url: electricityMaps.url, zone: 'DE', forecast: false }, { api_key: EM_TOKEN }),
    'google-calendar': entry(
      'family-calendar',
      'google-calendar',
      { base_url: `${google.url}/calendar/v3`, token_url: `${google.url}/token`, calendar_id: 'primary' },
      { client_id: google.clientId, client_secret: google.clientSecret, refresh_token: google.refreshToken },
    ),
    ics: entry('holidays', 'ics', { url: `${ics.url}${SECRET_FEED_PATH}` }),
  };
  if (BUILTIN_PLUGINS.some((p) => p.id === 'watttime')) {
    const watttime = await startFakeWattTime();
    watttime.addUser(WATTTIME_USER.username, WATTTIME_USER.password);
    closers.push(watttime);
    sources.watttime = entry('carbon', 'watttime', { base_url: watttime.url, region: 'CAISO_NORTH' }, WATTTIME_USER);
  }
  const chosen = BUILTIN_PLUGINS.map((p) => {
    const yaml = sources[p.id];
    if (!yaml) throw new Error(`test/bench/support/builtin-sources.ts has no source for the built-in plugin ${p.id}: add one`);
    return yaml;
  });
  return {
    yaml: chosen.join(''),
    ids: chosen.map((y) => /^ {2}([^:]+):/.exec(y)![1]!),
    close: async () => void (await Promise.all(closers.map((c) => c.close()))),
  };
}
