import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PluginDeclaration, RunContext } from '../../core/plugin-api/index.js';
import { createTestSource, type TestSource } from '../../core/testkit/index.js';
import { startFakeExampleApi, type FakeExampleApi } from '../fakes/example-api.js';
import { importExamplePlugin } from '../support/readme-plugin.js';

let plugin: PluginDeclaration;
let fake: FakeExampleApi;
let src: TestSource | undefined;
const KEY = 'example-key-123';

beforeAll(async () => {
  plugin = await importExamplePlugin();
});
beforeEach(async () => {
  fake = await startFakeExampleApi(KEY);
});
afterEach(async () => {
  await src?.stop();
  src = undefined;
  await fake.close();
});

const make = (over: { options?: Record<string, unknown>; credentials?: Record<string, string>; p?: PluginDeclaration } = {}) =>
  createTestSource({
    plugin: over.p ?? plugin,
    options: { base_url: fake.url, retries: 0, ...over.options },
    credentials: over.credentials ?? { api_key: KEY },
  });

describe('a source without credentials', () => {
  it('waits in a healthy standby, says what to set, and makes no upstream request', async () => {
    src = await make({ credentials: { api_key: '' } });
    expect(src.runnable).toBe(false);
    const h = src.health();
    expect([h.status, h.status_detail, h.credentials_configured]).toEqual(['healthy', 'credentials_missing', false]);
    expect(h.hint).toBe('Set EXAMPLE_API_KEY; the source starts by itself');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('a run', () => {
  it('produces points with the source tag and becomes operational', async () => {
    src = await make();
    const outcome = await src.run();
    expect(outcome.ok).toBe(true);
    expect(src.points).toHaveLength(1);
    expect(src.points[0]).toMatchObject({ measurement: 'example_reading', tags: { sensor: 'living_room', source: 'test' }, fields: { value: 42.5 } });
    const h = src.health();
    expect([h.status, h.status_detail]).toEqual(['healthy', 'operational']);
    expect(h.last_successful_fetch).not.toBeNull();
    expect(fake.requests[0]!.key).toBe(KEY);
  });

  it('goes degraded on the first failure, error after error_after, healthy on the next success', async () => {
    src = await make({ options: { error_after: 2 } });
    fake.failAlways(503);
    await src.run();
    expect([src.health().status, src.health().status_detail, src.health().consecutive_failures]).toEqual(['degraded', 'degraded', 1]);
    await src.run();
    const h = src.health();
    expect([h.status, h.status_detail, h.consecutive_failures]).toEqual(['error', 'error', 2]);
    expect(h.last_error).toMatchObject({ http_status: 503, message: 'Example Sensor answered 503 Service Unavailable for GET /reading: fake failure 503' });
    fake.failAlways(undefined);
    await src.run();
    expect([src.health().status, src.health().status_detail, src.health().consecutive_failures]).toEqual(['healthy', 'operational', 0]);
  });

  it('retries a transient 503 within the run and succeeds', async () => {
    src = await make({ options: { retries: 2 } });
    fake.failNext(2, 503);
    const outcome = await src.run();
    expect(outcome.ok).toBe(true);
    expect(fake.requests).toHaveLength(3);
  });

  it('maps a refused key to credentials_invalid, status error', async () => {
    src = await make({ credentials: { api_key: 'wrong-key-999' } });
    await src.run();
    const h = src.health();
    expect([h.status, h.status_detail]).toEqual(['error', 'credentials_invalid']);
    expect(h.last_error?.http_status).toBe(401);
    expect(h.last_error?.message).toContain('Example Sensor refused the credentials');
  });

  it('maps a 429 to rate_limited and degraded', async () => {
    src = await make();
    fake.failNext(1, 429, { headers: { 'retry-after': '120' } });
    await src.run();
    const h = src.health();
    expect([h.status, h.status_detail]).toEqual(['degraded', 'rate_limited']);
    expect(h.last_error?.http_status).toBe(429);
  });

  it('refuses a malformed payload with a data error and writes nothing', async () => {
    src = await make();
    fake.failNext(1, 200, { body: '{"readings": [{"time": "2026-01-01T00:00:00Z", "value": "high"}]}' });
    const outcome = await src.run();
    expect(outcome.ok).toBe(false);
    expect(src.health().last_error?.message).toBe('reading: readings[0].value is not a number');
    expect(src.points).toHaveLength(0);
    fake.failNext(1, 200, { body: '<html>oops' });
    await src.run();
    expect(src.health().last_error?.message).toBe('Example Sensor sent a body that is not valid JSON for GET /reading');
  });

  it('aborts a run that hangs at its timeout, and the next run works', async () => {
    src = await make({ options: { timeout: '1s' } });
    fake.hangNext(1);
    const started = Date.now();
    const outcome = await src.run();
    expect(outcome.ok).toBe(false);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(src.health().status).toBe('degraded');
    expect((await src.run()).ok).toBe(true);
  });

  it('never overlaps runs of one source', async () => {
    src = await make();
    fake.delayMs = 200;
    const [a, b] = await Promise.all([src.run(), src.run()]);
    expect(a.ok && b.ok).toBe(true);
    expect(fake.requests).toHaveLength(1);
    expect(fake.maxInFlight).toBe(1);
  });

  it('flags stale data when the newest point is older than max_data_age', async () => {
    src = await make({ options: { max_data_age: '30m' } });
    fake.readingTime = new Date(Date.now() - 2 * 3600_000);
    await src.run();
    expect([src.health().status, src.health().status_detail]).toEqual(['degraded', 'stale']);
    fake.readingTime = null;
    await src.run();
    expect(src.health().status_detail).toBe('operational');
  });
});

describe('freshness', () => {
  it('judges staleness by points not in the future: a forecast alone is not stale data', async () => {
    const forecast: PluginDeclaration = {
      id: 'forecast',
      apiVersion: 1,
      title: 'Forecast',
      max_data_age: '30m',
      create: () => ({
        fetch: async () => [{ measurement: 'm', fields: { v: 1 }, time: new Date(Date.now() + 3600_000) }],
      }),
    };
    src = await createTestSource({ plugin: forecast });
    await src.run();
    expect(src.health().status_detail).toBe('operational');
  });
});

describe('plugins that misbehave', () => {
  const base = (fetch: () => Promise<unknown>): PluginDeclaration => ({
    id: 'bad',
    apiVersion: 1,
    title: 'Bad Plugin',
    create: () => ({ fetch: fetch as never }),
  });

  it('a fetch that never settles is aborted at the timeout', async () => {
    src = await createTestSource({ plugin: base(() => new Promise(() => undefined)), options: { timeout: '300ms' } });
    const outcome = await src.run();
    expect(outcome.ok).toBe(false);
    expect(src.health().last_error?.message).toBe("the run did not finish within 0.3s (the source's timeout option)");
  });

  it('every hung run is aborted at its own timeout, with runs of other timeouts and quick runs in between', async () => {
    let calls = 0;
    // Every other run hangs; the others answer at once.
    const flaky = base(() => (++calls % 2 === 1 ? new Promise(() => undefined) : Promise.resolve([{ measurement: 'm', fields: { v: 1 }, time: new Date() }])));
    src = await createTestSource({ plugin: flaky, options: { timeout: '200ms' } });
    const other = await createTestSource({ id: 'other', plugin: base(() => new Promise(() => undefined)), options: { timeout: '350ms' } });
    try {
      const t0 = performance.now();
      const slow = other.run();
      const outcomes = [];
      for (let i = 0; i < 4; i++) outcomes.push(await src.run());
      expect(outcomes.map((o) => o.ok)).toEqual([false, true, false, true]);
      // Two hung runs of 200 ms each, one after the other.
      expect(performance.now() - t0).toBeGreaterThanOrEqual(390);
      expect((await slow).error?.message).toBe("the run did not finish within 0.35s (the source's timeout option)");
      expect(src.health().last_error?.message).toBe("the run did not finish within 0.2s (the source's timeout option)");
    } finally {
      await other.stop();
    }
  });

  it('a run that timed out and still uses ctx.http is aborted there, without touching the next run', async () => {
    let lateRequest: Promise<unknown> | undefined;
    let calls = 0;
    const reading = async (http: RunContext['http']) => (await http.get('reading').json<{ readings: { value: number }[] }>()).readings[0]!.value;
    // The first run keeps going past its timeout, then asks the upstream (without passing
    // ctx.signal); the second asks twice through the client it kept, the abandoned run asking
    // between the two.
    const late = {
      ...plugin,
      create: () => ({
        async fetch(ctx: RunContext) {
          if (++calls === 1) {
            await new Promise((r) => setTimeout(r, 700));
            lateRequest = reading(ctx.http);
            await lateRequest;
          }
          const http = ctx.http;
          const values = [await reading(http), await reading(http)];
          return values.map((value, i) => ({ measurement: 'example_reading', tags: { n: String(i) }, fields: { value }, time: new Date() }));
        },
      }),
    } as PluginDeclaration;
    src = await make({ p: late, options: { timeout: '600ms' } });
    expect((await src.run()).error?.message).toBe("the run did not finish within 0.6s (the source's timeout option)");
    fake.delayMs = 200;
    const second = await src.run();
    // The late request failed with the reason its run ended, without reaching the upstream ...
    await expect(lateRequest).rejects.toThrow('the run did not finish within 0.6s');
    // ... and the second run's two requests were its own.
    expect(second.ok, String(second.error)).toBe(true);
    expect(fake.requests).toHaveLength(2);
  });

  it('a fetch that throws synchronously is one failed run', async () => {
    src = await createTestSource({
      plugin: base(() => {
        throw new Error('boom');
      }),
    });
    expect((await src.run()).ok).toBe(false);
    expect(src.health().last_error?.message).toBe('boom');
  });

  it('a create that throws puts only this source in error with the reason', async () => {
    const p: PluginDeclaration = { id: 'bad', apiVersion: 1, title: 'Bad', create: () => { throw new Error('cannot start'); } };
    src = await createTestSource({ plugin: p });
    expect(src.runnable).toBe(false);
    expect(src.health()).toMatchObject({ status: 'error', status_detail: 'error', last_error: { message: 'plugin bad failed to create the source: cannot start' } });
  });

  it('points with a broken field are a data error naming the point', async () => {
    src = await createTestSource({ plugin: base(async () => [{ measurement: 'm', fields: { v: Number.NaN }, time: new Date() }]) });
    await src.run();
    expect(src.health().last_error?.message).toBe('points[0].fields.v is not a finite number, string, boolean or int()');
  });
});

describe('redaction', () => {
  it('keeps the key out of the log and the health API even when a plugin puts it in an error', async () => {
    const leaky: PluginDeclaration = {
      ...plugin,
      create: () => ({
        fetch: async (ctx) => {
          ctx.logger.info({ note: `calling with ${ctx.credentials.api_key}` }, 'about to fetch');
          throw new Error(`upstream said no to key ${ctx.credentials.api_key}`);
        },
      }),
    };
    src = await make({ p: leaky });
    await src.run();
    expect(src.logs()).toContain('about to fetch');
    expect(src.logs()).not.toContain(KEY);
    expect(JSON.stringify(src.health())).not.toContain(KEY);
    expect(src.health().last_error?.message).toBe('upstream said no to key [REDACTED]');
  });
});
