import { describe, it } from 'vitest';
import { BUILTIN_PLUGINS } from '../../core/builtin-plugins.js';
import { conformance, type ConformanceSetup } from '../../core/testkit/index.js';

const PLACE = { latitude: 52.52, longitude: 13.41 };

/** How each built-in plugin is pointed at the test upstream: its required options, credentials and sign-in answers. */
const SETUPS: Record<string, ConformanceSetup> = {
  watttime: {
    credentials: { username: 'conformance-user', password: 'Conformance-Passw0rd!' },
    respond: (req) => (req.path === '/login' ? { status: 200, body: { token: 'conformance-token' } } : undefined),
  },
  airnow: { options: { zip_code: '20002' }, credentials: { api_key: 'conformance-airnow-key' } },
  'open-meteo': { options: PLACE },
  'open-meteo-air-quality': { options: PLACE },
  openweathermap: { options: PLACE, credentials: { api_key: 'conformance-owm-key' } },
  tibber: { credentials: { access_token: 'conformance-tibber-token' } },
  'octopus-energy': {},
  entsoe: { options: { zone: '10Y1001A1001A82H' }, credentials: { security_token: 'conformance-entsoe-token' }, malformed: { status: 200, body: '<Publication_MarketDocument><TimeSeries>' } },
  awattar: {},
  'uk-carbon-intensity': {},
  'electricity-maps': { options: { zone: 'DE' }, credentials: { api_key: 'conformance-em-token' } },
  'google-calendar': {
    options: (url) => ({ base_url: `${url}/calendar/v3`, token_url: '/token' }),
    credentials: { client_id: 'conformance.apps.googleusercontent.com', client_secret: 'conformance-secret', refresh_token: 'conformance-refresh' },
    respond: (req) => (req.path === '/token' ? { status: 200, body: { access_token: 'conformance-access', expires_in: 3600, token_type: 'Bearer' } } : undefined),
  },
  'http-json': {
    options: { url: 'readings', records: 'data', time: 'time', measurement: 'reading', fields: { value: 'value' }, auth: { style: 'api_key', name: 'x-api-key' } },
    credentials: { api_key: 'conformance-http-json-key' },
  },
  ics: { options: { url: 'calendar.ics' }, malformed: { status: 200, body: 'BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:2026' } },
};

describe.each(BUILTIN_PLUGINS.map((p) => [p.id, p] as const))('%s conforms to the plugin contract', (id, plugin) => {
  const setup = { ...SETUPS[id], readme: new URL(`../../plugins/${id}/README.md`, import.meta.url) };
  it('has a conformance setup here', ({ expect }) => expect(SETUPS[id]).toBeDefined());
  for (const check of conformance(plugin, setup)) it(check.name, check.run);
});
