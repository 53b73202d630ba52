// @ts-expect-error autocannon ships no types; the two result fields read here are checked below.
import autocannon from 'autocannon';

/** What one load run measured. */
export interface LoadResult {
  rps: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

/** Loads `url` with autocannon (loopback only) for `seconds` with `connections` connections. */
export async function load(url: string, seconds: number, connections = 10): Promise<LoadResult> {
  if (!/^http:\/\/127\.0\.0\.1:/.test(url)) throw new Error(`load: loopback only, not ${url}`);
  const r = (await autocannon({ url, connections, duration: seconds, pipelining: 1 })) as {
    requests: { average: number };
    latency: { p99: number };
    non2xx: number;
    errors: number;
  };
  if (typeof r.requests?.average !== 'number' || typeof r.latency?.p99 !== 'number') throw new Error('load: autocannon gave no figures');
  return { rps: r.requests.average, p99Ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
}
