import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { parseDuration, type CommandIo, type PluginCommand } from '../../core/plugin-api/index.js';

const USAGE = `Usage: homeiq google-auth --client-id ID --client-secret SECRET [options]

Obtains a Google refresh token for the google-calendar plugin and prints the config lines.
The client id and secret may also come from GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET.

Options:
  --flow device|loopback  device (default): enter a code on any device with a browser; needs an
                          OAuth client of type "TVs and Limited Input devices".
                          loopback: open a link in a browser on this machine (or through
                          ssh -L PORT:127.0.0.1:PORT); needs a "Desktop app" client.
  --port N                loopback port (default: any free one)
  --scope SCOPE           default https://www.googleapis.com/auth/calendar.readonly
  --source ID             source id in the printed config (default calendar)
  --timeout DURATION      give up waiting for the user after this long (default 10m)
  --device-url URL        default https://oauth2.googleapis.com/device/code
  --auth-url URL          default https://accounts.google.com/o/oauth2/v2/auth
  --token-url URL         default https://oauth2.googleapis.com/token
`;

/** `npx homeiq google-auth`, declared by the google-calendar plugin. */
export const authCommand: PluginCommand = {
  name: 'google-auth',
  summary: 'obtain a Google refresh token on a headless host (see plugins/google-calendar/README.md)',
  usage: '--client-id ID --client-secret SECRET',
  run: (args, io) => googleAuthCommand(args, io),
};

interface AuthOptions {
  clientId: string;
  clientSecret: string;
  flow: 'device' | 'loopback';
  port: number;
  scope: string;
  source: string;
  timeoutMs: number;
  deviceUrl: string;
  authUrl: string;
  tokenUrl: string;
}

/** A failure to show the user as it is (exit code 1). */
class AuthFailure extends Error {}

type Answer = { status: number; body: Record<string, unknown> };

/**
 * `homeiq google-auth`: runs Google's OAuth consent on a headless host (the device flow, or a
 * loopback redirect) and prints the environment lines and the `sources:` entry with the refresh
 * token. Returns 0 on success, 1 when Google or the user refused, 2 for bad arguments.
 */
export async function googleAuthCommand(args: string[], io: CommandIo): Promise<number> {
  let options: AuthOptions | 'help';
  try {
    options = readOptions(args, io.env);
  } catch (err) {
    io.err(`homeiq google-auth: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    io.out(USAGE);
    return 0;
  }
  try {
    const answer = options.flow === 'device' ? await deviceFlow(options, io) : await loopbackFlow(options, io);
    const refresh = answer.refresh_token;
    if (typeof refresh !== 'string' || !refresh) {
      throw new AuthFailure('Google answered without a refresh token: remove the app at https://myaccount.google.com/permissions and run this again');
    }
    io.out(configLines(options, refresh));
    io.err('Done: the source starts by itself once these are set.\n');
    return 0;
  } catch (err) {
    if (!(err instanceof AuthFailure)) throw err;
    io.err(`homeiq google-auth: ${err.message}\n`);
    return 1;
  }
}

const FLAGS = {
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  flow: { type: 'string', default: 'device' },
  port: { type: 'string', default: '0' },
  scope: { type: 'string', default: 'https://www.googleapis.com/auth/calendar.readonly' },
  source: { type: 'string', default: 'calendar' },
  timeout: { type: 'string', default: '10m' },
  'device-url': { type: 'string', default: 'https://oauth2.googleapis.com/device/code' },
  'auth-url': { type: 'string', default: 'https://accounts.google.com/o/oauth2/v2/auth' },
  'token-url': { type: 'string', default: 'https://oauth2.googleapis.com/token' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The flags, checked; throws an Error whose message names the flag that is wrong. */
function readOptions(args: string[], env: NodeJS.ProcessEnv): AuthOptions | 'help' {
  const { values: v } = parseArgs({ args, options: FLAGS });
  if (v.help) return 'help';
  const clientId = v['client-id'] ?? env.GOOGLE_CLIENT_ID;
  const clientSecret = v['client-secret'] ?? env.GOOGLE_CLIENT_SECRET;
  if (!clientId) throw new Error('--client-id is required (or GOOGLE_CLIENT_ID)');
  if (!clientSecret) throw new Error('--client-secret is required (or GOOGLE_CLIENT_SECRET)');
  if (v.flow !== 'device' && v.flow !== 'loopback') throw new Error(`--flow must be device or loopback, not "${v.flow}"`);
  const port = Number(v.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, not "${v.port}"`);
  const timeoutMs = parseDuration(v.timeout);
  if (timeoutMs === undefined || timeoutMs <= 0) throw new Error(`--timeout must be a duration such as 10m, not "${v.timeout}"`);
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(v.source)) throw new Error(`--source must be a source id ([a-z0-9][a-z0-9_-]*), not "${v.source}"`);
  for (const key of ['device-url', 'auth-url', 'token-url'] as const) {
    if (!URL.canParse(v[key])) throw new Error(`--${key} must be a URL, not "${v[key]}"`);
  }
  const urls = { deviceUrl: v['device-url'], authUrl: v['auth-url'], tokenUrl: v['token-url'] };
  return { clientId, clientSecret, flow: v.flow, port, scope: v.scope, source: v.source, timeoutMs, ...urls };
}

/** RFC 8628: a code for the user to enter elsewhere, then polling until they allow or refuse. */
async function deviceFlow(o: AuthOptions, io: CommandIo): Promise<Record<string, unknown>> {
  const start = await postForm(o.deviceUrl, { client_id: o.clientId, scope: o.scope });
  if (start.status !== 200) throw new AuthFailure(refusal(start.body, o));
  const { device_code: deviceCode, user_code: userCode, interval, expires_in: expiresIn } = start.body;
  const verification = start.body.verification_url ?? start.body.verification_uri;
  if (typeof deviceCode !== 'string' || typeof userCode !== 'string' || typeof verification !== 'string') {
    throw new AuthFailure(`${o.deviceUrl} answered without a device_code, user_code and verification_url`);
  }
  const lifetimeMs = typeof expiresIn === 'number' ? expiresIn * 1000 : 1_800_000;
  io.err(`\nOn any device with a browser, open ${verification}\nand enter the code: ${userCode}\n\nWaiting for you to allow access (the code expires in ${Math.round(lifetimeMs / 60_000)} min)...\n`);
  let waitMs = (typeof interval === 'number' && interval > 0 ? interval : 5) * 1000;
  const deadline = Date.now() + Math.min(lifetimeMs, o.timeoutMs);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    const poll = await postForm(o.tokenUrl, {
      client_id: o.clientId,
      client_secret: o.clientSecret,
      device_code: deviceCode,
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
    });
    if (poll.status === 200) return poll.body;
    const error = poll.body.error;
    if (error === 'authorization_pending') continue;
    // RFC 8628 §3.5: slow_down adds five seconds to the interval for good.
    if (error === 'slow_down') waitMs += 5000;
    else if (error === 'access_denied') throw new AuthFailure('access was denied in the browser');
    else if (error === 'expired_token') throw new AuthFailure('the code expired before access was allowed: run the command again');
    else throw new AuthFailure(refusal(poll.body, o));
  }
  throw new AuthFailure('nobody allowed access in time: run the command again');
}

/** RFC 8252: the browser comes back to a server on 127.0.0.1 with a code, protected by PKCE. */
async function loopbackFlow(o: AuthOptions, io: CommandIo): Promise<Record<string, unknown>> {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('hex');
  const { server, port, code } = await awaitRedirect(o.port, state);
  try {
    const redirectUri = `http://127.0.0.1:${port}`;
    const url = new URL(o.authUrl);
    const params = {
      client_id: o.clientId,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: o.scope,
      access_type: 'offline',
      prompt: 'consent',
      state,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    io.err(`\nOpen this address in a browser on this machine (on a headless host, forward the port first:\nssh -L ${port}:127.0.0.1:${port} THIS-HOST, then open it on your computer):\n\n${url}\n\nWaiting for you to allow access...\n`);
    const timer = new Promise<never>((_, reject) => setTimeout(() => reject(new AuthFailure('gave up waiting for the browser')), o.timeoutMs).unref());
    const granted = await Promise.race([code, timer]);
    const answer = await postForm(o.tokenUrl, {
      code: granted,
      client_id: o.clientId,
      client_secret: o.clientSecret,
      redirect_uri: redirectUri,
      code_verifier: verifier,
      grant_type: 'authorization_code',
    });
    if (answer.status !== 200) throw new AuthFailure(refusal(answer.body, o));
    return answer.body;
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

/** Listens on 127.0.0.1 for the browser's redirect; `code` settles on the one with our state. */
async function awaitRedirect(wanted: number, state: string): Promise<{ server: Server; port: number; code: Promise<string> }> {
  let settle!: { resolve: (code: string) => void; reject: (err: Error) => void };
  const code = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  code.catch(() => undefined);
  const server = createServer((req, res) => {
    const q = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams;
    // A favicon or a stale tab carries no (or another) state: not ours to act on.
    if (q.get('state') !== state) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('This is not the answer homeiq google-auth is waiting for.');
      return;
    }
    const error = q.get('error');
    const granted = q.get('code');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!DOCTYPE html><title>HomeIQ</title><p>${error || !granted ? 'Access was not granted.' : 'Access granted. You can close this tab.'}</p>`);
    if (error || !granted) settle.reject(new AuthFailure(`access was not granted (${error ?? 'no code'})`));
    else settle.resolve(granted);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new AuthFailure(`cannot listen on 127.0.0.1:${wanted}: ${err.message}`)));
    server.listen(wanted, '127.0.0.1', () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port, code };
}

async function postForm(url: string, form: Record<string, string>): Promise<Answer> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', body: new URLSearchParams(form), signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new AuthFailure(`could not reach ${new URL(url).origin} (${cause})`);
  }
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    body = { error: `HTTP ${response.status}` };
  }
  return { status: response.status, body };
}

/** Google's refusal in words, with what to change. */
function refusal(body: Record<string, unknown>, o: AuthOptions): string {
  const error = typeof body.error === 'string' ? body.error : 'error';
  const said = typeof body.error_description === 'string' ? `: ${body.error_description}` : '';
  if (error === 'invalid_client') {
    const hint =
      o.flow === 'device' && /client type/i.test(said)
        ? 'the device flow needs an OAuth client of type "TVs and Limited Input devices" (with a "Desktop app" client, use --flow loopback)'
        : 'check --client-id and --client-secret';
    return `Google does not accept the OAuth client ${o.clientId} (invalid_client${said}): ${hint}`;
  }
  return `Google refused (${error}${said})`;
}

function configLines(o: AuthOptions, refreshToken: string): string {
  return `# Google Calendar credentials for HomeIQ Sources. The refresh token is a password: keep it secret.
# 1. Set these in the host's environment (or as Docker secrets, e.g. GOOGLE_REFRESH_TOKEN_FILE=/run/secrets/...):
GOOGLE_CLIENT_ID=${o.clientId}
GOOGLE_CLIENT_SECRET=${o.clientSecret}
GOOGLE_REFRESH_TOKEN=${refreshToken}

# 2. Add this source to config/sources.yaml:
sources:
  ${o.source}:
    plugin: google-calendar
    credentials:
      client_id: \${GOOGLE_CLIENT_ID}
      client_secret: \${GOOGLE_CLIENT_SECRET}
      refresh_token: \${GOOGLE_REFRESH_TOKEN}
    options:
      calendar_id: primary
`;
}
