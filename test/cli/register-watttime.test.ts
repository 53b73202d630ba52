import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../core/cli/cli.js';
import { passwordProblems, registerWattTimeCommand } from '../../plugins/watttime/register-command.js';
import { startFakeWattTime, type FakeWattTime } from '../fakes/watttime.js';

// `homeiq register-watttime` against the fake WattTime: what the user types, sees, and gets.

const PASSWORD = 'Gr1d-carbon!';
let fake: FakeWattTime;
let out: string;
let err: string;
const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), env: {} };

beforeEach(async () => {
  fake = await startFakeWattTime();
  out = '';
  err = '';
});
afterEach(() => fake.close());

function passwordFile(text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'homeiq-wt-')), 'password');
  writeFileSync(file, text);
  return file;
}

/** A stdin that is a terminal: records raw mode, delivers what the test types. */
function terminal(): PassThrough & { isTTY: boolean; setRawMode(mode: boolean): void; modes: boolean[] } {
  const modes: boolean[] = [];
  return Object.assign(new PassThrough(), { isTTY: true, modes, setRawMode: (mode: boolean) => void modes.push(mode) });
}

const piped = (text: string) => {
  const input = new PassThrough();
  input.end(text);
  return input;
};

const args = (...extra: string[]) => ['--username', 'freddo', '--email', 'freddo@example.com', '--base-url', fake.url, ...extra];

async function canLogIn(username: string, password: string): Promise<boolean> {
  const res = await fetch(`${fake.url}/login`, { headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` } });
  return res.status === 200;
}

describe('homeiq register-watttime', () => {
  it('creates the account from --password-file and prints the config lines, never the password', async () => {
    const code = await registerWattTimeCommand(args('--org', 'Home', '--password-file', passwordFile(`${PASSWORD}\nsecond line\n`)), io);
    expect(code).toBe(0);
    expect(fake.registrations).toEqual([{ username: 'freddo', email: 'freddo@example.com', org: 'Home' }]);
    // The fields travel in a JSON body, not the query string (WattTime refuses that).
    expect(fake.requests.map((r) => [r.method, r.path, r.query])).toEqual([['POST', '/register', {}]]);
    expect(await canLogIn('freddo', PASSWORD)).toBe(true);
    expect(out).toContain('WattTime created the account "freddo" (User created).');
    expect(out).toContain('WATTTIME_USERNAME=freddo\nWATTTIME_PASSWORD=<the password you just chose>');
    expect(out).toContain(
      `sources:\n  carbon:\n    plugin: watttime\n    credentials:\n      username: \${WATTTIME_USERNAME}\n      password: \${WATTTIME_PASSWORD}\n    options:\n      region: \${GRID_REGION:-CAISO_NORTH}`,
    );
    expect(out).toContain(`base_url: ${fake.url}`);
    expect(out + err).not.toContain(PASSWORD);
  });

  it('asks twice on a terminal without echoing, with backspace, in raw mode', async () => {
    const input = terminal();
    const done = registerWattTimeCommand(args('--source', 'grid'), io, { input });
    input.write(`${PASSWORD}x\u007f\r`);
    input.write(`${PASSWORD}\r`);
    expect(await done).toBe(0);
    expect(input.modes).toEqual([true, false]);
    expect(err).toBe('WattTime password (not shown): \nThe same again: \n');
    expect(out).toContain('sources:\n  grid:\n');
    expect(out + err).not.toContain(PASSWORD);
    expect(await canLogIn('freddo', PASSWORD)).toBe(true);
  });

  it('sends nothing when the two passwords differ or the user presses Ctrl-C', async () => {
    const input = terminal();
    const done = registerWattTimeCommand(args(), io, { input });
    input.write(`${PASSWORD}\r${PASSWORD}?\r`);
    expect(await done).toBe(2);
    expect(err).toContain('homeiq register-watttime: the two passwords differ: nothing was sent');
    const cancelled = terminal();
    const second = registerWattTimeCommand(args(), io, { input: cancelled });
    cancelled.write('Gr1d\u0003');
    expect(await second).toBe(2);
    expect(cancelled.modes).toEqual([true, false]);
    expect(err).toContain('cancelled: nothing was sent');
    expect(fake.requests).toHaveLength(0);
  });

  it('reads one line piped on stdin', async () => {
    expect(await registerWattTimeCommand(args(), io, { input: piped(`${PASSWORD}\r\nnot this\n`) })).toBe(0);
    expect(await canLogIn('freddo', PASSWORD)).toBe(true);
    expect(err).toBe('');
  });

  it('checks the password rule locally and names what is missing', async () => {
    expect(await registerWattTimeCommand(args(), io, { input: piped('short\n') })).toBe(2);
    expect(err).toBe(
      "homeiq register-watttime: the password needs at least 8 characters, a digit, a special character (WattTime's rule: 8+ characters with a letter, a digit and a special character)\n",
    );
    expect(await registerWattTimeCommand(args(), io, { input: piped('') })).toBe(2);
    expect(err).toContain('no password given: type it when asked, pipe it on stdin, or use --password-file');
    expect(fake.requests).toHaveLength(0);
    expect(passwordProblems('Gr1d-carbon!')).toEqual([]);
    expect(passwordProblems('abcdefgh')).toEqual(['a digit', 'a special character']);
    expect(passwordProblems('12345678!')).toEqual(['a letter']);
  });

  it('prints the server refusal plainly: a taken username, validation errors', async () => {
    fake.addUser('freddo', 'An0ther-pass!');
    expect(await registerWattTimeCommand(args(), io, { input: piped(`${PASSWORD}\n`) })).toBe(1);
    expect(err).toBe('homeiq register-watttime: WattTime refused the registration: That username is taken. Please choose another.\n');
    err = '';
    const detail = [{ loc: ['body', 'email'], msg: 'value is not a valid email address', type: 'value_error.email' }];
    fake.failNext(1, 422, { path: '/register', body: { detail } });
    expect(await registerWattTimeCommand(args(), io, { input: piped(`${PASSWORD}\n`) })).toBe(1);
    expect(err).toBe('homeiq register-watttime: WattTime refused the registration: \n  email: value is not a valid email address\n');
    expect(out).toBe('');
  });

  it('fails with code 1 when WattTime fails or cannot be reached', async () => {
    fake.failNext(1, 503, { path: '/register', body: '<html><title>503</title></html>' });
    expect(await registerWattTimeCommand(args(), io, { input: piped(`${PASSWORD}\n`) })).toBe(1);
    expect(err).toContain('WattTime failed to answer (HTTP 503 Service Unavailable); nothing was created, try again later');
    const closed = await startFakeWattTime();
    await closed.close();
    err = '';
    const code = await registerWattTimeCommand(['--username', 'freddo', '--email', 'f@example.com', '--base-url', closed.url], io, { input: piped(`${PASSWORD}\n`) });
    expect(code).toBe(1);
    expect(err).toBe(`homeiq register-watttime: could not reach WattTime at ${closed.url} (ECONNREFUSED); nothing was created\n`);
  });

  it('refuses bad arguments with code 2 and the usage, and answers --help', async () => {
    expect(await registerWattTimeCommand(['--username', 'freddo'], io)).toBe(2);
    expect(err).toMatch(/^homeiq register-watttime: --email is required\n\nUsage: homeiq register-watttime/);
    err = '';
    expect(await registerWattTimeCommand([...args(), '--pasword-file', 'x'], io)).toBe(2);
    expect(err).toContain("Unknown option '--pasword-file'");
    expect(await registerWattTimeCommand([...args(), '--password-file', '/nonexistent/pw'], io)).toBe(2);
    expect(err).toContain('cannot read --password-file /nonexistent/pw: ENOENT');
    expect(await registerWattTimeCommand(['--help'], io)).toBe(0);
    expect(out).toMatch(/^Usage: homeiq register-watttime --username NAME --email ADDRESS/);
    expect(fake.requests).toHaveLength(0);
  });
});
