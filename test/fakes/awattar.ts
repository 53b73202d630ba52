import { RollingWindow, startHttpFake, type FakeReply, type FakeRequest, type HttpFake } from './http-fake.js';

/**
 * aWATTar's market data API as ../shared/apis/electricity-pricing.md §2.4 describes it:
 * `GET /v1/marketdata` with optional `start`/`end` in epoch milliseconds (default: the current
 * hour to 24 hours later), no key, answering `{"object":"list","data":[{start_timestamp,
 * end_timestamp, marketprice, unit: "Eur/MWh"}],"url":"/de/v1/marketdata"}`. The fair-use limit
 * of about 100 requests a day is enforced; its answer is not documented, so the fake's 429 with a
 * plain-text body is an assumption.
 */

export interface MarketEntry {
  start_timestamp: number;
  end_timestamp: number;
  marketprice: number;
  unit: string;
}

export interface FakeAwattar extends HttpFake {
  /** The market data it knows (as aWATTar answers it). */
  setData(entries: MarketEntry[]): void;
}

export async function startFakeAwattar(options: { dailyLimit?: number } = {}): Promise<FakeAwattar> {
  let entries: MarketEntry[] = [];
  const perDay = new RollingWindow(options.dailyLimit ?? 100, 86_400_000);

  const handle = (req: FakeRequest): FakeReply => {
    if (req.method !== 'GET' || req.path !== '/v1/marketdata') return { status: 404, body: { error: 'Not Found' } };
    const now = Date.now();
    if (!perDay.allow('address', now)) return { status: 429, body: 'Too Many Requests' };
    const hour = Math.floor(now / 3_600_000) * 3_600_000;
    const start = Number(req.query.get('start') ?? hour);
    const end = Number(req.query.get('end') ?? start + 86_400_000);
    if (!Number.isFinite(start) || !Number.isFinite(end)) return { status: 400, body: { error: 'start and end are epoch milliseconds' } };
    const data = entries.filter((e) => e.end_timestamp > start && e.start_timestamp < end);
    return { status: 200, body: { object: 'list', data, url: '/de/v1/marketdata' } };
  };

  return Object.assign(await startHttpFake(handle), {
    setData: (list: MarketEntry[]) => {
      entries = [...list];
    },
  });
}
