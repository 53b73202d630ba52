import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../../core/cli/cli.js';
import { googleAuthCommand } from '../../../plugins/google-calendar/auth-command.js';
import { startFakeGoogle, type FakeGoogle } from '../../fakes/google-calendar.js';
import { googleSource } from './helpers.js';

let fake: FakeGoogle;
beforeEach(async () => {
  fake = await startFakeGoogle({ seed: true });
  // The fake's device flow answers at once; Google's interval is 5 s.
  fake.deviceInterval = 0.01;
});
afterEach(async () => {
  await fake.close();
});

function capture(env: NodeJS.ProcessEnv = {}): CliIo & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', env, out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}
const endpoints = () => ['--device-url', `${fake.url}/device/code`, '--auth-url', `${fake.url}/o/oauth2/v2/auth`, '--token-url', `${fake.url}/token`];
const client = () => ['--client-id', fake.clientId, '--client-secret', fake.clientSecret];
const printedToken = (out: string) => /^GOOGLE_REFRESH_TOKEN=(.+)$/m.exec(out)?.[1];

describe('homeiq google-auth, device flow', () => {
  it('shows the code to enter, polls until allowed, and prints working config lines', async () => {
    fake.deviceApproveAfter = 3;
    const io = capture();
    const code = await googleAuthCommand([...client(), ...endpoints(), '--source', 'family'], io);
    expect(code).toBe(0);
    expect(io.stderr).toContain('open https://www.google.com/device');
    expect(io.stderr).toContain('enter the code: GQVQ-JKEC');
    const polls = fake.requests.filter((r) => r.form.grant_type === 'urn:ietf:params:oauth:grant-type:device_code');
    expect(polls).toHaveLength(3);
    expect(io.stdout).toContain(`GOOGLE_CLIENT_ID=${fake.clientId}\n`);
    expect(io.stdout).toContain('sources:\n  family:\n    plugin: google-calendar\n    credentials:\n      client_id: ${GOOGLE_CLIENT_ID}\n');
    expect(io.stdout).toContain('      refresh_token: ${GOOGLE_REFRESH_TOKEN}\n');
    // The printed refresh token is the one the calendar source can use.
    const refresh = printedToken(io.stdout)!;
    const src = await googleSource(fake, { credentials: { client_id: fake.clientId, client_secret: fake.clientSecret, refresh_token: refresh } });
    expect((await src.run()).ok).toBe(true);
    await src.stop();
  });

  it('takes the client from GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET', async () => {
    const io = capture({ GOOGLE_CLIENT_ID: fake.clientId, GOOGLE_CLIENT_SECRET: fake.clientSecret });
    expect(await googleAuthCommand(endpoints(), io)).toBe(0);
    expect(printedToken(io.stdout)).toMatch(/^1\/\/fake-refresh-/);
  });

  it('says so when the user denies access (exit 1)', async () => {
    fake.deviceOutcome = 'deny';
    const io = capture();
    expect(await googleAuthCommand([...client(), ...endpoints()], io)).toBe(1);
    expect(io.stderr).toContain('homeiq google-auth: access was denied in the browser');
    expect(io.stdout).toBe('');
  });

  it('says so when the code expired (exit 1)', async () => {
    fake.deviceOutcome = 'expire';
    const io = capture();
    expect(await googleAuthCommand([...client(), ...endpoints()], io)).toBe(1);
    expect(io.stderr).toContain('the code expired before access was allowed: run the command again');
  });

  it('explains the client type the device flow needs', async () => {
    fake.deviceClientAllowed = false;
    const io = capture();
    expect(await googleAuthCommand([...client(), ...endpoints()], io)).toBe(1);
    expect(io.stderr).toContain('needs an OAuth client of type "TVs and Limited Input devices" (with a "Desktop app" client, use --flow loopback)');
  });

  it('names the client id Google does not know', async () => {
    const io = capture();
    expect(await googleAuthCommand(['--client-id', 'nobody.apps.googleusercontent.com', '--client-secret', 'x', ...endpoints()], io)).toBe(1);
    expect(io.stderr).toContain('Google does not accept the OAuth client nobody.apps.googleusercontent.com (invalid_client: The OAuth client was not found.): check --client-id and --client-secret');
  });
});

describe('homeiq google-auth, loopback flow', () => {
  async function browse(io: ReturnType<typeof capture>): Promise<string> {
    for (let i = 0; i < 200 && !/^http\S+auth\S+$/m.test(io.stderr); i++) await new Promise((r) => setTimeout(r, 10));
    const url = /^(http\S+auth\S+)$/m.exec(io.stderr)![1]!;
    // The fake consent page redirects at once, as a click on "Allow" would; fetch follows it home.
    return (await fetch(url)).text();
  }

  it('sends the browser to the consent page and exchanges the code it brings back (PKCE)', async () => {
    const io = capture();
    const running = googleAuthCommand([...client(), ...endpoints(), '--flow', 'loopback'], io);
    expect(await browse(io)).toContain('Access granted. You can close this tab.');
    expect(await running).toBe(0);
    const consent = fake.requests.find((r) => r.path === '/o/oauth2/v2/auth')!;
    expect(consent.query).toMatchObject({ access_type: 'offline', prompt: 'consent', code_challenge_method: 'S256', scope: 'https://www.googleapis.com/auth/calendar.readonly' });
    const exchange = fake.requests.find((r) => r.form.grant_type === 'authorization_code')!;
    expect(exchange.form.redirect_uri).toBe(consent.query.redirect_uri);
    expect(exchange.form.code_verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(printedToken(io.stdout)).toMatch(/^1\/\/fake-refresh-/);
  });

  it('fails with exit 1 when the user clicks Deny', async () => {
    fake.consent = 'deny';
    const io = capture();
    const running = googleAuthCommand([...client(), ...endpoints(), '--flow', 'loopback'], io);
    expect(await browse(io)).toContain('Access was not granted.');
    expect(await running).toBe(1);
    expect(io.stderr).toContain('access was not granted (access_denied)');
  });
});

describe('homeiq google-auth arguments', () => {
  it.each([
    [['--client-id', 'x'], '--client-secret is required (or GOOGLE_CLIENT_SECRET)'],
    [['--client-id', 'x', '--client-secret', 'y', '--flow', 'oob'], '--flow must be device or loopback, not "oob"'],
    [['--client-id', 'x', '--client-secret', 'y', '--timeout', 'soon'], '--timeout must be a duration such as 10m, not "soon"'],
    [['--client-id', 'x', '--client-secret', 'y', '--bogus'], "Unknown option '--bogus'"],
  ])('%j → exit 2 with the reason', async (args, reason) => {
    const io = capture();
    expect(await googleAuthCommand(args, io)).toBe(2);
    expect(io.stderr).toContain(reason);
    expect(io.stderr).toContain('Usage: homeiq google-auth');
    expect(fake.requestCount()).toBe(0);
  });

  it('--help prints the usage', async () => {
    const io = capture();
    expect(await googleAuthCommand(['--help'], io)).toBe(0);
    expect(io.stdout).toContain('--flow device|loopback');
  });
});
