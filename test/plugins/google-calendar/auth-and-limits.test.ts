import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TestSource } from '../../../core/testkit/index.js';
import { GOOGLE_ERRORS, startFakeGoogle, type FakeGoogle } from '../../fakes/google-calendar.js';
import { advanceClock, clockAt, credentialsOf, eventRequests, golden, googleSource } from './helpers.js';

const NOW = '2026-05-07T06:00:00.000Z';
let fake: FakeGoogle;
let src: TestSource | undefined;
beforeEach(async () => {
  clockAt(NOW);
  fake = await startFakeGoogle();
  fake.load(golden('normal.json'));
});
afterEach(async () => {
  vi.useRealTimers();
  await src?.stop();
  src = undefined;
  await fake.close();
});
const tokenRequests = () => fake.requests.filter((r) => r.path === '/token');

describe('google-calendar credentials', () => {
  it('invalid_grant (expired or revoked refresh token) is credentials_invalid, "re-consent needed", asked once', async () => {
    src = await googleSource(fake, { credentials: { ...credentialsOf(fake), refresh_token: '1//expired-testing-app-token' } });
    await src.run();
    const h = src.health();
    expect(h).toMatchObject({ status: 'error', status_detail: 'credentials_invalid', last_error: { http_status: 400 } });
    expect(h.last_error?.message).toContain('invalid_grant: Token has been expired or revoked.');
    expect(h.last_error?.message).toContain('re-consent needed');
    expect(tokenRequests()).toHaveLength(1);
    expect(eventRequests(fake)).toHaveLength(0);
    expect(src.logs()).not.toContain('1//expired-testing-app-token');
  });

  it('invalid_client is credentials_invalid naming the client id as wrong, never the secret', async () => {
    src = await googleSource(fake, { credentials: { ...credentialsOf(fake), client_secret: 'GOCSPX-wrong-secret-0000' } });
    await src.run();
    const h = src.health();
    expect(h.status_detail).toBe('credentials_invalid');
    // The client id is public (not redacted), so the message names it; the secret never shows.
    const clientId = credentialsOf(fake).client_id;
    expect(h.last_error?.message).toBe(`Google Calendar does not know the OAuth client ${clientId} (invalid_client): check client_id and client_secret`);
    expect(JSON.stringify(h)).not.toContain('GOCSPX-wrong-secret-0000');
    expect(src.logs()).not.toContain('GOCSPX-wrong-secret-0000');
  });

  it('a token endpoint failure (5xx) is retried within the run, then transient, never refused credentials', async () => {
    fake.failNext(1, 503, { endpoint: 'token' });
    src = await googleSource(fake);
    expect((await src.run()).ok).toBe(true);
    // Three in a row outlast the two retries: the run fails as an ordinary, transient failure.
    fake.failNext(3, 503, { endpoint: 'token' });
    src = await googleSource(fake);
    await src.run();
    expect(src.health().status_detail).toBe('degraded');
    expect(src.health().last_error?.http_status).toBe(503);
    expect((await src.run()).ok).toBe(true);
  });

  it('renews the access token before its hour runs out, without a 401', async () => {
    src = await googleSource(fake);
    await src.run();
    advanceClock(50 * 60_000);
    await src.run();
    expect(fake.loginCount()).toBe(1);
    advanceClock(6 * 60_000);
    await src.run();
    expect(fake.loginCount()).toBe(2);
    expect(src.health()).toMatchObject({ status_detail: 'operational', token_refresh_count: 2, token_expires_at: new Date(Date.parse(NOW) + 56 * 60_000 + 3_599_000).toISOString() });
    // Every events.list call carried a live token: the fake counts no re-login forced by a 401.
    expect(eventRequests(fake)).toHaveLength(3);
  });
});

describe('google-calendar rate limits and failures', () => {
  it('retries a 5xx within the run', async () => {
    src = await googleSource(fake, { options: { retries: 2 } });
    fake.failNext(2, 503, { body: GOOGLE_ERRORS.backend503 });
    expect((await src.run()).ok).toBe(true);
    expect(eventRequests(fake)).toHaveLength(3);
  });

});
