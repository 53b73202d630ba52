import {
  ConfigError,
  CredentialsError,
  RateLimitError,
  UpstreamError,
  type RunContext,
} from '../../core/plugin-api/index.js';
import { parseEntsoeXml, type PricePeriod } from './xml-document.js';

/** What one day's request brought: prices, or ENTSO-E's "no matching data" (reason 999). */
export type DayAnswer = { kind: 'prices'; periods: PricePeriod[] } | { kind: 'no-data'; text: string };

/** ENTSO-E bans an address for 10 minutes once it passes 400 requests a minute (guide §1.8). */
export const BAN_MS = 10 * 60_000;

/** yyyyMMddHHmm in UTC, as periodStart and periodEnd want it. */
function stamp(d: Date): string {
  return d.toISOString().slice(0, 16).replace(/[-T:]/g, '');
}

/** The words of an HTML or XML page, for a message: tags and scripts dropped, one line, short. */
function pageText(body: unknown): string {
  const raw = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : '';
  const words = raw
    .replace(/<(script|style|title)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return words.length > 200 ? `${words.slice(0, 197)}...` : words;
}

function retryAfterMs(header: unknown): number {
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value !== 'string' || !value.trim()) return BAN_MS;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? BAN_MS : Math.max(0, at - Date.now());
}

/**
 * ENTSO-E's own answers to a failed request: a 401 HTML page (a bad token), a 429 without
 * Retry-After (a 10-minute ban), a 400 acknowledgement (a parameter it refuses). Others: the host.
 */
interface FailedResponse {
  statusCode?: number;
  body?: unknown;
  headers?: Record<string, unknown>;
}

function fromFailure(err: unknown, where: string): Error | undefined {
  const response = (err as { response?: FailedResponse } | null)?.response;
  if (!response) return undefined;
  const options = { httpStatus: response.statusCode, cause: err };
  switch (response.statusCode) {
    case 401:
      return new CredentialsError(`ENTSO-E refused the security token (401: ${pageText(response.body) || 'Unauthorized'})`, options);
    case 429: {
      const wait = retryAfterMs(response.headers?.['retry-after']);
      const said = pageText(response.body);
      const message = `ENTSO-E answered 429${said ? `: ${said}` : ''}; it bans the address for ${Math.round(wait / 60_000)} minutes`;
      return new RateLimitError(message, { retryAfterMs: wait, ...options });
    }
    case 400:
      return new ConfigError(`${where}: ENTSO-E refused the request (400: ${reasonOf(response.body)}); check options.zone`, { cause: err });
    default:
      return undefined;
  }
}

/** The reason of an acknowledgement body (`reason 999: …`), else the words of the page. */
function reasonOf(body: unknown): string {
  const raw = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : '';
  try {
    const doc = parseEntsoeXml(raw, 'error');
    if (doc.kind === 'acknowledgement') return `reason ${doc.code || 'none'}: ${doc.text || 'no text'}`;
  } catch {
    // Not an ENTSO-E document: say what the page says.
  }
  return pageText(raw) || 'Bad Request';
}

/**
 * Asks ENTSO-E for the day-ahead prices (document A44) of `zone` between `start` and `end`.
 * @throws CredentialsError, RateLimitError, ConfigError as above; UpstreamError for an
 *   acknowledgement other than "no matching data"; DataError for a body that is not a document.
 */
export async function requestDay(ctx: RunContext<unknown>, zone: string, start: Date, end: Date, where: string): Promise<DayAnswer> {
  let body: string;
  try {
    body = await ctx.http
      .get('api', {
        searchParams: {
          documentType: 'A44',
          in_Domain: zone,
          out_Domain: zone,
          periodStart: stamp(start),
          periodEnd: stamp(end),
          'contract_MarketAgreement.type': 'A01',
        },
      })
      .text();
  } catch (err) {
    throw fromFailure(err, where) ?? err;
  }
  const doc = parseEntsoeXml(body, where);
  if (doc.kind === 'prices') return doc;
  if (doc.code === '999') return { kind: 'no-data', text: doc.text };
  throw new UpstreamError(`${where}: ENTSO-E answered without prices (reason ${doc.code || 'none'}: ${doc.text || 'no text'})`, { retryable: false });
}
