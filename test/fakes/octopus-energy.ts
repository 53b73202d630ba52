import { startHttpFake, type FakeReply, type FakeRequest, type HttpFake } from './http-fake.js';

/**
 * Octopus Energy's public tariff API as ../shared/apis/electricity-pricing.md §2.2 describes it:
 * `GET /v1/products/{product}/electricity-tariffs/{tariff}/standard-unit-rates/` with
 * `period_from`/`period_to` (ISO 8601; without an offset, UK time), `page_size` (default 100,
 * at most 1500) and `page`; Django REST framework pages, newest first, `next` a full URL on
 * api.octopus.energy. Unknown product or tariff: 404 `{"detail":"Not found."}`. No key needed.
 */

/** The host Octopus writes into `next` and `previous`. */
export const OCTOPUS_HOST = 'https://api.octopus.energy';

const RATES_PATH = /^\/v1\/products\/([^/]+)\/electricity-tariffs\/([^/]+)\/standard-unit-rates\/$/;

export interface FakeOctopus extends HttpFake {
  /** The rate rows of a tariff (as Octopus answers them, any order). */
  setRates(product: string, tariff: string, rows: unknown[]): void;
  /** Largest page size honoured (Octopus: 1500); tests lower it to force many pages. */
  maxPageSize: number;
}

interface Row {
  valid_from: string;
  valid_to: string | null;
}

/** UK wall-clock time (no offset) as an instant, with the platform's zone data. */
function ukTime(text: string): number {
  const wall = Date.parse(`${text}Z`);
  const offsetAt = (t: number) => {
    const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', timeZoneName: 'shortOffset' }).formatToParts(new Date(t));
    const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const m = /GMT([+-]\d+)?/.exec(name);
    return Number(m?.[1] ?? 0) * 3_600_000;
  };
  return wall - offsetAt(wall - offsetAt(wall));
}

function instant(text: string | null): number | undefined {
  if (!text) return undefined;
  const t = /(Z|[+-]\d{2}:?\d{2})$/.test(text) ? Date.parse(text) : ukTime(text);
  return Number.isNaN(t) ? undefined : t;
}

export async function startFakeOctopus(): Promise<FakeOctopus> {
  const tariffs = new Map<string, unknown[]>();
  let fake: FakeOctopus | undefined;

  const handle = (req: FakeRequest): FakeReply => {
    const match = RATES_PATH.exec(req.path);
    const rows = match ? tariffs.get(`${decodeURIComponent(match[1]!)}|${decodeURIComponent(match[2]!)}`) : undefined;
    if (req.method !== 'GET' || !rows) return { status: 404, body: { detail: 'Not found.' } };
    const q = req.query;
    if (q.has('period_to') && !q.has('period_from')) return { status: 400, body: { detail: 'period_to requires period_from' } };
    const from = instant(q.get('period_from')) ?? -Infinity;
    const to = instant(q.get('period_to')) ?? Infinity;
    const matching = (rows as Row[])
      .filter((r) => Date.parse(r.valid_from) < to && (r.valid_to === null || Date.parse(r.valid_to) > from))
      .sort((a, b) => Date.parse(b.valid_from) - Date.parse(a.valid_from));
    const size = Math.min(Number(q.get('page_size')) || 100, fake?.maxPageSize ?? 1500);
    const page = Number(q.get('page') ?? 1);
    const pages = Math.max(1, Math.ceil(matching.length / size));
    if (!Number.isInteger(page) || page < 1 || page > pages) return { status: 404, body: { detail: 'Invalid page.' } };
    const link = (n: number) => {
      const params = new URLSearchParams(q);
      params.set('page', String(n));
      return `${OCTOPUS_HOST}${req.path}?${params.toString()}`;
    };
    return {
      status: 200,
      body: {
        count: matching.length,
        next: page < pages ? link(page + 1) : null,
        previous: page > 1 ? link(page - 1) : null,
        results: matching.slice((page - 1) * size, page * size),
      },
    };
  };

  fake = Object.assign(await startHttpFake(handle), {
    maxPageSize: 1500,
    setRates: (product: string, tariff: string, rows: unknown[]) => void tariffs.set(`${product}|${tariff}`, rows),
  });
  return fake;
}
