import { RollingWindow, startHttpFake, type FakeReply, type FakeRequest, type HttpFake } from './http-fake.js';

/**
 * The ENTSO-E Transparency Platform's REST API as ../shared/apis/electricity-pricing.md §2.3
 * describes it: `GET /api?securityToken=…&documentType=A44&in_Domain=<EIC>&out_Domain=<EIC>&
 * periodStart=yyyyMMddHHmm&periodEnd=yyyyMMddHHmm` (UTC). A missing or wrong token: 401 with an
 * HTML page. No data for the interval (not yet published, unknown zone): 200 with an
 * Acknowledgement_MarketDocument, reason 999. Malformed parameters: 400 with an acknowledgement
 * (its text is assumed). More than `perMinuteLimit` (400) requests a minute: a 10-minute ban,
 * every request answered 429 with ENTSO-E's text and no Retry-After.
 */

export const UNAUTHORIZED_PAGE =
  '<!DOCTYPE html>\n<html><head><title>Unauthorized</title></head>\n<body><h1>Unauthorized</h1>\n' +
  '<p>Unauthorized. Missing or invalid security token</p>\n</body></html>\n';

export const BAN_TEXT = 'Max allowed requests per minute from each unique IP is max up to 400 only';
const BAN_MS = 10 * 60_000;
const STAMP = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/;

export interface FakeEntsoe extends HttpFake {
  token: string;
  /** Adds a recorded Publication_MarketDocument; its zone and interval are read from it. */
  addDocument(xml: string): void;
}

/** An Acknowledgement_MarketDocument with one reason. */
export function acknowledgement(code: string, text: string): string {
  const now = new Date().toISOString().slice(0, 19) + 'Z';
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<Acknowledgement_MarketDocument xmlns="urn:iec62325.351:tc57wg16:451-1:acknowledgementdocument:7:0">\n' +
    '\t<mRID>4a6c1d42-6d0e-4b9b-8f7e-2f1f0c0c5e11</mRID>\n' +
    `\t<createdDateTime>${now}</createdDateTime>\n` +
    '\t<sender_MarketParticipant.mRID codingScheme="A01">10X1001A1001A450</sender_MarketParticipant.mRID>\n' +
    '\t<sender_MarketParticipant.marketRole.type>A32</sender_MarketParticipant.marketRole.type>\n' +
    '\t<receiver_MarketParticipant.mRID codingScheme="A01">10X1001A1001A450</receiver_MarketParticipant.mRID>\n' +
    '\t<receiver_MarketParticipant.marketRole.type>A39</receiver_MarketParticipant.marketRole.type>\n' +
    `\t<received_MarketDocument.createdDateTime>${now}</received_MarketDocument.createdDateTime>\n` +
    `\t<Reason>\n\t\t<code>${code}</code>\n\t\t<text>${text}</text>\n\t</Reason>\n` +
    '</Acknowledgement_MarketDocument>\n'
  );
}

const ACK_HEADERS = { 'content-type': 'text/xml', 'content-disposition': 'inline; filename="acknowledgement.xml"' };

function stampTime(text: string | null): number | undefined {
  const m = STAMP.exec(text ?? '');
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5])) : undefined;
}

interface StoredDocument {
  zone: string;
  start: number;
  end: number;
  xml: string;
}

export async function startFakeEntsoe(options: { token?: string; perMinuteLimit?: number } = {}): Promise<FakeEntsoe> {
  const documents: StoredDocument[] = [];
  const perMinute = new RollingWindow(options.perMinuteLimit ?? 400, 60_000);
  let bannedUntil = 0;
  let fake: FakeEntsoe | undefined;

  const prices = (q: URLSearchParams): FakeReply => {
    const zone = q.get('in_Domain');
    const start = stampTime(q.get('periodStart'));
    const end = stampTime(q.get('periodEnd'));
    if (q.get('documentType') !== 'A44' || !zone || !q.get('out_Domain') || start === undefined || end === undefined || end <= start) {
      return { status: 400, body: acknowledgement('999', 'The combination of parameters is not valid, or a mandatory parameter is missing.'), headers: ACK_HEADERS };
    }
    const doc = q.get('out_Domain') === zone ? documents.find((d) => d.zone === zone && d.start < end && d.end > start) : undefined;
    if (doc) return { status: 200, body: doc.xml, headers: { 'content-type': 'application/xml' } };
    const interval = `${new Date(start).toISOString()}/${new Date(end).toISOString()}`;
    const text = `No matching data found for Data item ENERGY_PRICES [12.1.D] (${zone}, ${q.get('out_Domain')}) and interval ${interval}.`;
    return { status: 200, body: acknowledgement('999', text), headers: ACK_HEADERS };
  };

  const handle = (req: FakeRequest): FakeReply => {
    const now = Date.now();
    if (now < bannedUntil || !perMinute.allow('address', now)) {
      if (now >= bannedUntil) bannedUntil = now + BAN_MS;
      return { status: 429, body: BAN_TEXT, headers: { 'content-type': 'text/plain' } };
    }
    if (req.path !== '/api' || req.method !== 'GET') return { status: 404, body: '<html><body>Not Found</body></html>' };
    if (req.query.get('securityToken') !== fake!.token) return { status: 401, body: UNAUTHORIZED_PAGE, headers: { 'content-type': 'text/html' } };
    return prices(req.query);
  };

  fake = Object.assign(await startHttpFake(handle), {
    token: options.token ?? '0f6c2a4e-8d1b-4c3a-9e7f-5b2d1a0c9e8f',
    addDocument: (xml: string) => {
      const zone = /<in_Domain\.mRID[^>]*>([^<]+)</.exec(xml)?.[1];
      const interval = /<period\.timeInterval>\s*<start>([^<]+)<\/start>\s*<end>([^<]+)<\/end>/.exec(xml);
      if (!zone || !interval) throw new Error('fake ENTSO-E: not a Publication_MarketDocument with a zone and an interval');
      documents.push({ zone, start: Date.parse(interval[1]!), end: Date.parse(interval[2]!), xml });
    },
  });
  return fake;
}
