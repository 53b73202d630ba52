import got, { type Got } from 'got';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccessDeniedError, ConfigError, CredentialsError, DataError, type Point } from '../../../core/plugin-api/index.js';
import { accessProblem, parseMyAccess } from '../../../plugins/watttime/access.js';
import {
  forecastRequest,
  historicalRequest,
  historicalWindows,
  loginRequest,
  myAccessRequest,
  parseForecast,
  parseHistorical,
  parseLogin,
  parseSignalIndex,
  regionFromLocRequest,
  signalIndexRequest,
  type UpstreamRequest,
} from '../../../plugins/watttime/client.js';
import { forecastPoints, historicalPoints, indexPoints, warningTexts } from '../../../plugins/watttime/mapping.js';
import { refineHttpError, type FailedCall } from '../../../plugins/watttime/upstream-errors.js';
import { fakeIndexValue, fakeValue, startFakeWattTime, type FakeWattTime } from '../../fakes/watttime.js';

// The client's requests and readers against the fake WattTime, through got as the host's
// `ctx.http` would send them (prefixUrl = base URL, no retries here).

const NOW = Date.UTC(2024, 5, 18, 18, 42, 17);
const PASSWORD = 'pa55-word!';
let fake: FakeWattTime;
let http: Got;

beforeEach(async () => {
  fake = await startFakeWattTime({ now: () => NOW });
  fake.addUser('home', PASSWORD);
  http = got.extend({ prefixUrl: fake.url, retry: { limit: 0 }, timeout: { request: 5000 } });
});
afterEach(() => fake.close());

async function token(username = 'home', password = PASSWORD): Promise<string> {
  const request = loginRequest(username, password);
  try {
    return parseLogin(await http.get(request.path, { headers: request.headers }).text()).token;
  } catch (err) {
    throw refineHttpError(err, { call: 'login' });
  }
}

async function fetchBody(request: UpstreamRequest, call: FailedCall, bearer: string): Promise<string> {
  try {
    return await http.get(request.path, { searchParams: request.searchParams, headers: { authorization: `Bearer ${bearer}` } }).text();
  } catch (err) {
    throw refineHttpError(err, call);
  }
}

describe('watttime client against the fake', () => {
  it('turns a login and a forecast into the points the upstream served', async () => {
    fake.setWarnings([{ type: 'MISSING_DATA', message: 'Imputed 3 points' }]);
    const bearer = await token();
    const request = forecastRequest({ region: 'CAISO_NORTH', signalType: 'co2_moer', horizonHours: 1 });
    const payload = parseForecast(await fetchBody(request, { call: 'forecast' }, bearer));
    const points = forecastPoints(payload);
    expect(points).toHaveLength(12);
    const first = Date.UTC(2024, 5, 18, 18, 40);
    expect(points[0]).toEqual<Point>({
      measurement: 'carbon_intensity',
      tags: { region: 'CAISO_NORTH', signal_type: 'co2_moer', series: 'forecast' },
      fields: { value: fakeValue('CAISO_NORTH', 'co2_moer', first) },
      time: new Date(first),
    });
    expect(points.map((p) => p.time.getTime() - first)).toEqual(Array.from({ length: 12 }, (_, i) => i * 300_000));
    expect(warningTexts(payload.meta)).toEqual(['MISSING_DATA: Imputed 3 points']);
  });

  it('reads the signal index of any region as series=index', async () => {
    const body = await fetchBody(signalIndexRequest({ region: 'PJM_DC' }), { call: 'signal-index' }, await token());
    const [point] = indexPoints(parseSignalIndex(body));
    expect(point!.tags).toEqual({ region: 'PJM_DC', signal_type: 'co2_moer', series: 'index' });
    expect(point!.fields.value).toBe(fakeIndexValue('PJM_DC', Date.UTC(2024, 5, 18, 18, 40)));
  });

  it('fetches 65 days of history in windows the upstream accepts, each point once', async () => {
    const bearer = await token();
    const start = new Date(NOW - 65 * 86_400_000);
    const points: Point[] = [];
    for (const window of historicalWindows(start, new Date(NOW))) {
      const request = historicalRequest({ region: 'CAISO_NORTH', signalType: 'co2_moer', ...window });
      points.push(...historicalPoints(parseHistorical(await fetchBody(request, { call: 'historical' }, bearer))));
    }
    const times = points.map((p) => p.time.getTime());
    expect(new Set(times).size).toBe(times.length);
    expect(times).toHaveLength(65 * 288);
    expect(times.every((t, i) => i === 0 || t - times[i - 1]! === 300_000)).toBe(true);
  });

  it('says in plain words when the plan does not cover a region, from the 403 and from my-access', async () => {
    const bearer = await token();
    const call: FailedCall = { call: 'forecast', region: 'PJM_DC', signalType: 'co2_moer' };
    const refused = fetchBody(forecastRequest({ region: 'PJM_DC', signalType: 'co2_moer' }), call, bearer);
    await expect(refused).rejects.toBeInstanceOf(AccessDeniedError);
    await expect(refused).rejects.toThrow(/^your WattTime plan does not include forecasts for PJM_DC; free accounts get CAISO_NORTH$/);
    const access = parseMyAccess(await fetchBody(myAccessRequest(), { call: 'my-access' }, bearer));
    expect(accessProblem(access, 'CAISO_NORTH', 'co2_moer', ['forecast', 'historical'])).toBeUndefined();
    expect(accessProblem(access, 'PJM_DC', 'co2_moer', ['historical'])?.message).toBe(
      'your WattTime plan does not include historical data for PJM_DC; free accounts get CAISO_NORTH',
    );
  });

  it('reports refused credentials, JSON or nginx HTML, as CredentialsError without the password', async () => {
    await expect(token('home', 'wrong')).rejects.toBeInstanceOf(CredentialsError);
    fake.loginFailureBody = 'nginx-html';
    const err = (await token('home', 'wrong-secret-pw').catch((e: unknown) => e)) as CredentialsError;
    expect(err).toBeInstanceOf(CredentialsError);
    expect(err.httpStatus).toBe(403);
    expect(err.message).not.toContain('wrong-secret-pw');
  });

  it('reports a location outside coverage as a config problem', async () => {
    const call: FailedCall = { call: 'region-from-loc', latitude: 0, longitude: 0, signalType: 'co2_moer' };
    const lookup = fetchBody(regionFromLocRequest({ latitude: 0, longitude: 0, signalType: 'co2_moer' }), call, await token());
    await expect(lookup).rejects.toBeInstanceOf(ConfigError);
    await expect(lookup).rejects.toThrow('WattTime has no co2_moer coverage at latitude 0, longitude 0');
  });

  it('reports a body cut short as DataError', async () => {
    const bearer = await token();
    fake.malformedNext(1, { path: '/v3/forecast' });
    const body = await fetchBody(forecastRequest({ region: 'CAISO_NORTH', signalType: 'co2_moer' }), { call: 'forecast' }, bearer);
    expect(() => parseForecast(body)).toThrow(DataError);
    expect(() => parseForecast(body)).toThrow('forecast: the body is not valid JSON');
  });
});
