// @ts-expect-error autocannon ships no types; the two result fields read here are checked below.
import autocannon from 'autocannon';

/** What one load run measured. */
export interface LoadResult {
  rps: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  bytesPerRequest: number;
}

/**
 * Loads `url` with autocannon (loopback only) for `seconds` with `connections` connections, sending
 * `headers` with every request (e.g. `accept-encoding: gzip`, as Home Assistant's aiohttp and
 * browsers do). `bytesPerRequest` is what came back per answer (headers and body, as sent).
 */
export async function load(url: string, seconds: number, connections = 10, headers: Record<string, string> = {}): Promise<LoadResult> {
  if (!/^http:\/\/127\.0\.0\.1:/.test(url)) throw new Error(`load: loopback only, not ${url}`);
  const r = (await autocannon({ url, connections, duration: seconds, pipelining: 1, headers })) as {
    requests: { average: number; total: number };
    throughput: { total: number };
    latency: { p99: number };
    non2xx: number;
    errors: number;
  };
  if (typeof r.requests?.average !== 'number' || typeof r.latency?.p99 !== 'number') throw new Error('load: autocannon gave no figures');
  const bytesPerRequest = r.requests.total > 0 ? r.throughput.total / r.requests.total : 0;
  return { rps: r.requests.average, p99Ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors, bytesPerRequest };
}
