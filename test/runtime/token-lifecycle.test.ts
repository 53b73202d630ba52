import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PluginDeclaration, Point } from '../../core/plugin-api/index.js';
import { createTestSource, type TestSource } from '../../core/testkit/index.js';
import { startFakeWattTime, type FakeWattTime } from '../fakes/watttime.js';

/**
 * The shared token lifecycle (CONTRACT §3, issue 3) against the fake WattTime: a `login` plugin as
 * small as a plugin can be, so that everything tested here is the host's, not the plugin's.
 */
const probe = (parallel = 1): PluginDeclaration => ({
  id: 'token-probe',
  apiVersion: 1,
  title: 'WattTime',
  base_url: 'http://127.0.0.1:9',
  credentials: { style: 'login', default_lifetime: '30m' },
  create: () => ({
    async login(ctx) {
      const { username, password } = ctx.credentials;
      const body = await ctx.http.get('login', { username, password }).json<{ token: string }>();
      return { token: body.token };
    },
    async fetch(ctx) {
      const get = () =>
        ctx.http.get('v3/signal-index', { searchParams: { region: 'CAISO_NORTH', signal_type: 'co2_moer' } }).json<{ data: { point_time: string; value: number }[] }>();
      const bodies = await Promise.all(Array.from({ length: parallel }, get));
      return bodies.flatMap((b) => b.data.map((d): Point => ({ measurement: 'carbon_intensity', fields: { value: d.value }, time: new Date(d.point_time) })));
    },
  }),
});

let fake: FakeWattTime;
let src: TestSource | undefined;
const USER = { username: 'homeiq-user', password: 'c0rrect-Horse!' };

beforeEach(async () => {
  fake = await startFakeWattTime();
  fake.addUser(USER.username, USER.password);
});
afterEach(async () => {
  await src?.stop();
  src = undefined;
  await fake.close();
});

const make = (options: Record<string, unknown> = {}, credentials = USER, plugin = probe()) =>
  createTestSource({ plugin, options: { base_url: fake.url, retries: 0, ...options }, credentials });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('token lifecycle', () => {
  it('renews the token before it expires and never sends an expired one', async () => {
    fake.tokenLifetimeSeconds = 3;
    src = await make({ refresh_before: '2s' });
    // Runs every 250 ms across three token lifetimes: every request must carry a live token.
    const started = Date.now();
    let runs = 0;
    while (fake.loginCount < 3 && Date.now() - started < 10_000) {
      expect((await src.run()).ok).toBe(true);
      runs += 1;
      await sleep(250);
    }
    expect(fake.loginCount).toBe(3);
    expect(runs).toBeGreaterThan(6);
    expect(fake.expiredTokenRequests).toBe(0);
    const h = src.health();
    expect(h.token_refresh_count).toBe(fake.loginCount);
    expect(h.consecutive_failures).toBe(0);
    expect(Date.parse(h.token_expires_at!)).toBeGreaterThan(Date.now());
    expect(Date.parse(h.last_token_refresh!)).toBeLessThanOrEqual(Date.now());
  });

  it('takes the expiry from the JWT exp claim', async () => {
    fake.tokenLifetimeSeconds = 600;
    src = await make();
    await src.run();
    const expires = Date.parse(src.health().token_expires_at!);
    expect(Math.abs(expires - (Date.now() + 600_000))).toBeLessThan(5000);
  });

  it('logs in once for many concurrent requests', async () => {
    src = await make({}, USER, probe(12));
    const outcome = await src.run();
    expect(outcome.ok).toBe(true);
    expect(src.points).toHaveLength(12);
    expect(fake.loginCount).toBe(1);
  });

  it('recovers from a revoked token with one re-login and one retry, and no failure', async () => {
    src = await make({}, USER, probe(4));
    expect((await src.run()).ok).toBe(true);
    fake.revokeAllTokens();
    const outcome = await src.run();
    expect(outcome.ok).toBe(true);
    expect(fake.loginCount).toBe(2);
    expect(src.health()).toMatchObject({ consecutive_failures: 0, token_refresh_count: 2, status_detail: 'operational' });
  });

  it('treats refused credentials as credentials_invalid and keeps the password out of everything', async () => {
    src = await make({}, { username: USER.username, password: 'wrong-Passw0rd!' });
    await src.run();
    const h = src.health();
    expect([h.status, h.status_detail]).toEqual(['error', 'credentials_invalid']);
    expect(h.last_error?.http_status).toBe(403);
    expect(h.last_error?.message).toMatch(/^WattTime refused the username and password \(403/);
    expect(src.logs()).not.toContain('wrong-Passw0rd!');
    expect(JSON.stringify(h)).not.toContain('wrong-Passw0rd!');
    expect(fake.requests.filter((r) => r.path !== '/login')).toHaveLength(0);
  });

  it('reads the nginx HTML 403 page at login as refused credentials too', async () => {
    fake.loginFailureBody = 'nginx-html';
    src = await make({}, { username: 'nobody', password: 'Whatever-123!' });
    await src.run();
    expect(src.health()).toMatchObject({ status: 'error', status_detail: 'credentials_invalid' });
    expect(src.health().last_error?.message).toBe('WattTime refused the username and password (403: 403 Forbidden)');
  });

  it('counts a transient login failure as an ordinary failure, not refused credentials', async () => {
    src = await make();
    fake.failNext(1, 503, { path: '/login' });
    await src.run();
    expect(src.health()).toMatchObject({ status: 'degraded', status_detail: 'degraded' });
    expect(src.health().last_error?.http_status).toBe(503);
    expect((await src.run()).ok).toBe(true);
  });

  it('keeps tokens out of the log and the health API', async () => {
    src = await make();
    await src.run();
    expect(fake.tokensIssued.length).toBe(1);
    const token = fake.tokensIssued[0]!;
    expect(src.logs()).not.toContain(token);
    expect(JSON.stringify(src.health())).not.toContain(token);
  });
});
