import { startFakeAwattar, type FakeAwattar, type MarketEntry } from '../fakes/awattar.js';
import { startFakeWattTime, type FakeWattTime } from '../fakes/watttime.js';
import { startCliHost, type CliHost } from '../faults/cli-host.js';
import { eventually } from './eventually.js';

// The built program with WattTime's forecast and aWATTar's prices from fakes, and a planner over
// both. Prices are cheap (20 instead of 200 EUR/MWh) for two hours from five hours ahead.

export const HOUR = 3_600_000;
export const WATTTIME_USER = { WATTTIME_USERNAME: 'planner-user', WATTTIME_PASSWORD: 'Pl4n-ahead!' };

/** A planner over both sources with one task, the dishwasher, planned on the price alone: its plan is the cheap hours. */
export const DISHWASHER_PLANNER = `planner:
  carbon: carbon
  price: prices
  time_zone: Europe/Berlin
  tasks:
    dishwasher:
      duration: 2h
      deadline: 12h
      energy_kwh: 1.2
      weights: {carbon: 0, price: 1}
`;

export interface PlannerHost {
  host: CliHost;
  watttime: FakeWattTime;
  awattar: FakeAwattar;
  /** Where the two cheap hours start. */
  cheapFrom: number;
  close(): Promise<void>;
}

/** Hourly prices from a day ago to two days ahead, cheap for two hours from `cheapFrom`. */
export function prices(hour: number, cheapFrom: number): MarketEntry[] {
  return Array.from({ length: 72 }, (_, i) => {
    const start = hour - 24 * HOUR + i * HOUR;
    const cheap = start >= cheapFrom && start < cheapFrom + 2 * HOUR;
    return { start_timestamp: start, end_timestamp: start + HOUR, marketprice: cheap ? 20 : 200, unit: 'Eur/MWh' };
  });
}

/** The `carbon` (watttime) and `prices` (awattar) sources reading the fakes, as YAML under `sources:`. */
function signalSources(watttime: FakeWattTime, awattar: FakeAwattar): string {
  return `  carbon:
    plugin: watttime
    interval: 1h
    credentials:
      username: \${WATTTIME_USERNAME}
      password: \${WATTTIME_PASSWORD}
    options:
      region: CAISO_NORTH
      base_url: ${watttime.url}
      series: [forecast]
  prices:
    plugin: awattar
    interval: 1h
    options:
      base_url: ${awattar.url}
`;
}

/**
 * Starts the fakes and `homeiq start` with both sources and `planner` (YAML from `planner:` on,
 * or '' for a host without a planner), and waits until the host is ready.
 */
export async function startPlannerHost(planner: string): Promise<PlannerHost> {
  const hour = Math.floor(Date.now() / HOUR) * HOUR;
  const cheapFrom = hour + 5 * HOUR;
  const watttime = await startFakeWattTime();
  watttime.addUser(WATTTIME_USER.WATTTIME_USERNAME, WATTTIME_USER.WATTTIME_PASSWORD);
  const awattar = await startFakeAwattar();
  awattar.setData(prices(hour, cheapFrom));
  let host: CliHost | undefined;
  const close = async () => {
    await host?.stop();
    await watttime.close();
    await awattar.close();
  };
  try {
    host = await startCliHost(signalSources(watttime, awattar) + planner, {}, { env: WATTTIME_USER });
    await eventually('the host is ready', async () => (await host!.get('/ready')).status === 200, 30_000);
  } catch (err) {
    await close();
    throw err;
  }
  return { host, watttime, awattar, cheapFrom, close };
}
