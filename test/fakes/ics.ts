/**
 * Fake iCalendar publisher for the `ics` plugin, following ../shared/apis/calendar.md §3.3: plain
 * `GET` of a feed as `text/calendar`, at any path set with `setFeed` (like Google's secret
 * address `/calendar/ical/<id>/private-<secret>/basic.ics`); an unknown path gets Google's HTML
 * 404 page, as a reset secret address does. `failNext` answers the next requests verbatim (5xx,
 * 429 with Retry-After, an HTML page with status 200); `requests` logs every request.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A path shaped like Google's secret address: the `private-…` part is the secret. */
export const SECRET_FEED_PATH = '/calendar/ical/family%40example.com/private-5e3c0ffee0ddba11deadbeef0badcafe/basic.ics';

export interface FakeIcs {
  url: string;
  requests: { path: string; accept: string | undefined }[];
  /** Publishes `text` at `path` (as requested, percent-encoding included). */
  setFeed(path: string, text: string): void;
  failNext(n: number, status: number, options?: { headers?: Record<string, string>; body?: string }): void;
  requestCount(): number;
  close(): Promise<void>;
}

const GOOGLE_404 =
  '<!DOCTYPE html><html lang=en><meta charset=utf-8><title>Error 404 (Not Found)!!1</title>' +
  '<p><b>404.</b> <ins>That’s an error.</ins><p>The requested URL was not found on this server. <ins>That’s all we know.</ins>';

export async function startFakeIcs(): Promise<FakeIcs> {
  const feeds = new Map<string, string>();
  const failures: { status: number; headers?: Record<string, string>; body?: string }[] = [];
  const fake: FakeIcs = {
    url: '',
    requests: [],
    setFeed: (path, text) => void feeds.set(path, text),
    failNext(n, status, options = {}) {
      for (let i = 0; i < n; i++) failures.push({ status, ...options });
    },
    requestCount: () => fake.requests.length,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string>) => {
    res.writeHead(status, headers);
    res.end(body);
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    fake.requests.push({ path, accept: req.headers.accept });
    const failure = failures.shift();
    if (failure) {
      return send(res, failure.status, failure.body ?? `fake failure ${failure.status}`, { 'content-type': 'text/plain', ...failure.headers });
    }
    const feed = feeds.get(path);
    if (req.method !== 'GET' || feed === undefined) return send(res, 404, GOOGLE_404, { 'content-type': 'text/html; charset=UTF-8' });
    send(res, 200, feed, { 'content-type': 'text/calendar; charset=UTF-8', 'cache-control': 'no-cache, no-store, max-age=0, must-revalidate' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

/** A small feed whose daily event (09:00–09:30 UTC, since 2020) is always inside the window. */
export function rollingFeed(): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Google Inc//Google Calendar 70.9054//EN',
    'X-WR-CALNAME:Rolling',
    'BEGIN:VEVENT',
    'DTSTART:20200101T090000Z',
    'DTEND:20200101T093000Z',
    'RRULE:FREQ=DAILY',
    'DTSTAMP:20200101T000000Z',
    'UID:rolling@example.com',
    'SUMMARY:Daily check',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}
