import { ConfigError, DataError, RateLimitError, type RunContext } from '../../core/plugin-api/index.js';

/** The API answered 410: the sync token is no longer valid and a full sync is required. */
export class SyncTokenExpired extends Error {
  constructor(readonly reason: string) {
    super(`the sync token expired (${reason || '410 Gone'})`);
    this.name = 'SyncTokenExpired';
  }
}

/** Every item of every page of one `events.list`, and the sync token of its last page. */
export interface EventList {
  items: { raw: unknown; where: string }[];
  nextSyncToken: string;
  /** The calendar's time zone from the envelope (`timeZone`). */
  timeZone: string | undefined;
  pages: number;
}

// A calendar of 200 000 changes is not a household's: past this, something loops.
const MAX_PAGES = 200;
// 403 reasons that mean "slow down" rather than "not allowed" (Calendar API errors guide).
const RATE_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'dailyLimitExceeded', 'quotaExceeded']);

/**
 * Runs `events.list` on `calendarId` with `query`, following `nextPageToken` (the same query
 * again, plus the token) until the last page, which must carry `nextSyncToken`.
 */
export async function listAllEvents(ctx: RunContext<unknown>, calendarId: string, query: Record<string, string>): Promise<EventList> {
  const items: EventList['items'] = [];
  let pageToken: string | undefined;
  let timeZone: string | undefined;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const where = page === 1 ? 'events.list' : `events.list page ${page}`;
    const body = await getPage(ctx, calendarId, pageToken === undefined ? query : { ...query, pageToken });
    const checked = checkPage(body, where);
    checked.items.forEach((raw, i) => items.push({ raw, where: `${where}: items[${i}]` }));
    timeZone ??= checked.timeZone;
    if (checked.nextPageToken !== undefined) {
      if (checked.nextPageToken === pageToken) throw new DataError(`${where}: nextPageToken repeats the previous page's`);
      pageToken = checked.nextPageToken;
      continue;
    }
    if (checked.nextSyncToken === undefined) throw new DataError(`${where}: the last page carries no nextSyncToken`);
    return { items, nextSyncToken: checked.nextSyncToken, timeZone, pages: page };
  }
  throw new DataError(`events.list went on for more than ${MAX_PAGES} pages`);
}

async function getPage(ctx: RunContext<unknown>, calendarId: string, query: Record<string, string>): Promise<unknown> {
  try {
    return await ctx.http.get(`calendars/${encodeURIComponent(calendarId)}/events`, { searchParams: query }).json<unknown>();
  } catch (err) {
    throw googleError(err, calendarId);
  }
}

interface Page {
  items: unknown[];
  nextPageToken?: string;
  nextSyncToken?: string;
  timeZone?: string;
}

function checkPage(body: unknown, where: string): Page {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new DataError(`${where}: the answer is not a JSON object`);
  const b = body as Record<string, unknown>;
  // An empty calendar may leave `items` out.
  if (b.items !== undefined && !Array.isArray(b.items)) throw new DataError(`${where}: items is not an array`);
  for (const key of ['nextPageToken', 'nextSyncToken', 'timeZone'] as const) {
    if (b[key] !== undefined && (typeof b[key] !== 'string' || !b[key])) throw new DataError(`${where}: ${key} is not a non-empty string`);
  }
  return {
    items: (b.items as unknown[] | undefined) ?? [],
    ...(b.nextPageToken !== undefined ? { nextPageToken: b.nextPageToken as string } : {}),
    ...(b.nextSyncToken !== undefined ? { nextSyncToken: b.nextSyncToken as string } : {}),
    ...(b.timeZone !== undefined ? { timeZone: b.timeZone as string } : {}),
  };
}

/**
 * Google's own conventions on top of plain HTTP statuses (which the host maps): 410 asks for a
 * full sync, a 403 with a rate-limit reason is a rate limit (not access denied), and a 404 names
 * a calendar the account cannot see. Anything else goes to the host unchanged.
 */
function googleError(err: unknown, calendarId: string): unknown {
  const response = (err as { response?: { statusCode?: unknown; body?: unknown; headers?: Record<string, unknown> } } | null)?.response;
  if (!response || typeof response.statusCode !== 'number') return err;
  const status = response.statusCode;
  const { reason, message } = googleReason(response.body);
  if (status === 410) return new SyncTokenExpired(reason);
  if (status === 403 && RATE_REASONS.has(reason)) {
    return new RateLimitError(`Google Calendar asked to slow down (403 ${reason}${message ? `: ${message}` : ''})`, {
      httpStatus: 403,
      retryAfterMs: retryAfterMs(response.headers?.['retry-after']),
      cause: err,
    });
  }
  if (status === 404) {
    return new ConfigError(
      `Google Calendar has no calendar ${JSON.stringify(calendarId)} that this account can read (404${message ? ` ${message}` : ''}): check options.calendar_id`,
      { cause: err },
    );
  }
  return err;
}

/** `error.errors[0].reason` and `error.message` of a Google error body, where present. */
export function googleReason(body: unknown): { reason: string; message: string } {
  try {
    const parsed = (typeof body === 'string' || Buffer.isBuffer(body) ? JSON.parse(String(body)) : body) as {
      error?: { message?: unknown; errors?: { reason?: unknown }[] };
    };
    const reason = parsed?.error?.errors?.[0]?.reason;
    const message = parsed?.error?.message;
    return { reason: typeof reason === 'string' ? reason : '', message: typeof message === 'string' ? message : '' };
  } catch {
    return { reason: '', message: '' };
  }
}

function retryAfterMs(header: unknown): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) * 1000 : undefined;
}
