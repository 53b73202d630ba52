import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { CommandIo, PluginCommand } from '../../core/plugin-api/index.js';

const USAGE = `Usage: homeiq register-watttime --username NAME --email ADDRESS [options]

Creates a WattTime account and prints the config lines for the watttime source. A free account
reads the region CAISO_NORTH (forecast, index and history); the signal index of every region.

The password is asked for without echo; or piped on stdin (the first line); or read from the
first line of --password-file. WattTime's rule: at least 8 characters, with a letter, a digit and
a special character.

Options:
  --username NAME       the account name to create
  --email ADDRESS       where WattTime writes (verification, outages)
  --org NAME            your organisation (optional)
  --password-file FILE  read the password from the first line of FILE
  --base-url URL        default https://api.watttime.org
  --source ID           source id in the printed config (default carbon)
  -h, --help            this text
`;

const DEFAULT_BASE_URL = 'https://api.watttime.org';

/** `npx homeiq register-watttime`, declared by the watttime plugin. */
export const registerCommand: PluginCommand = {
  name: 'register-watttime',
  summary: 'create a WattTime account (asks for the password without echoing it)',
  usage: '--username U --email E [--org O] [--password-file F]',
  run: (args, io) => registerWattTimeCommand(args, io),
};

/** Where the password comes from when no --password-file is given (tests pass their own). */
export interface PasswordTerminal {
  /** Default process.stdin; a TTY is read in raw mode, without echo. */
  input?: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?(mode: boolean): unknown };
}

interface Registration {
  username: string;
  email: string;
  org?: string;
  passwordFile?: string;
  baseUrl: string;
  source: string;
}

/** A problem with what the user gave (exit code 2); `usage` when the arguments themselves are wrong. */
class BadInput extends Error {
  constructor(
    message: string,
    readonly usage = false,
  ) {
    super(message);
  }
}

/**
 * `homeiq register-watttime`: creates a WattTime account through `POST /register` and prints the
 * environment and config lines for it. Returns 0 when WattTime created the account, 1 when it
 * refused or could not be reached, 2 for bad arguments or a password that breaks WattTime's rule.
 * The password never reaches the output.
 */
export async function registerWattTimeCommand(args: string[], io: CommandIo, terminal: PasswordTerminal = {}): Promise<number> {
  let registration: Registration | 'help';
  let password: string;
  try {
    registration = readOptions(args);
    if (registration === 'help') {
      io.out(USAGE);
      return 0;
    }
    password = await readPassword(registration, io, terminal.input ?? process.stdin);
    const problems = passwordProblems(password);
    if (problems.length > 0) {
      throw new BadInput(`the password needs ${problems.join(', ')} (WattTime's rule: 8+ characters with a letter, a digit and a special character)`);
    }
  } catch (err) {
    if (!(err instanceof BadInput)) throw err;
    io.err(`homeiq register-watttime: ${err.message}\n${err.usage ? `\n${USAGE}` : ''}`);
    return 2;
  }
  const answer = await register(registration, password);
  if (!answer.ok) {
    io.err(`homeiq register-watttime: ${answer.message}\n`);
    return 1;
  }
  io.out(`${answer.message}\n${configLines(registration)}`);
  return 0;
}

const FLAGS = {
  username: { type: 'string' },
  email: { type: 'string' },
  org: { type: 'string' },
  'password-file': { type: 'string' },
  'base-url': { type: 'string', default: DEFAULT_BASE_URL },
  source: { type: 'string', default: 'carbon' },
  help: { type: 'boolean', short: 'h' },
} as const;

const parseFlags = (args: string[]) => parseArgs({ args, options: FLAGS, allowPositionals: false }).values;

/** The flags, checked; a {@link BadInput} names what is wrong. */
function readOptions(args: string[]): Registration | 'help' {
  let v: ReturnType<typeof parseFlags>;
  try {
    v = parseFlags(args);
  } catch (err) {
    throw new BadInput((err as Error).message, true);
  }
  if (v.help) return 'help';
  const bad = (message: string) => new BadInput(message, true);
  if (!v.username?.trim()) throw bad('--username is required');
  if (/\s/.test(v.username)) throw bad('--username must not contain spaces');
  if (!v.email) throw bad('--email is required');
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v.email)) throw bad(`--email must be an email address, not "${v.email}"`);
  if (!/^https?:\/\/[^/]/.test(v['base-url']) || !URL.canParse(v['base-url'])) throw bad(`--base-url must be an http(s) URL, not "${v['base-url']}"`);
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(v.source)) throw bad(`--source must be a source id ([a-z0-9][a-z0-9_-]*), not "${v.source}"`);
  const registration: Registration = { username: v.username, email: v.email, baseUrl: v['base-url'].replace(/\/+$/, ''), source: v.source };
  if (v.org) registration.org = v.org;
  if (v['password-file']) registration.passwordFile = v['password-file'];
  return registration;
}

/** What the password lacks under WattTime's rule, in words; empty when it is fine. */
export function passwordProblems(password: string): string[] {
  const problems: string[] = [];
  if ([...password].length < 8) problems.push('at least 8 characters');
  if (!/\p{L}/u.test(password)) problems.push('a letter');
  if (!/\p{Nd}/u.test(password)) problems.push('a digit');
  if (!/[^\p{L}\p{Nd}]/u.test(password)) problems.push('a special character');
  return problems;
}

async function readPassword(r: Registration, io: CommandIo, input: NonNullable<PasswordTerminal['input']>): Promise<string> {
  if (r.passwordFile) {
    let text: string;
    try {
      text = readFileSync(r.passwordFile, 'utf8');
    } catch (err) {
      throw new BadInput(`cannot read --password-file ${r.passwordFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    return text.split(/\r?\n/)[0] ?? '';
  }
  const keys = new KeyReader(input);
  try {
    if (!input.isTTY) return (await keys.line()) ?? missingPassword();
    io.err('WattTime password (not shown): ');
    const first = await keys.line();
    io.err('\nThe same again: ');
    const second = await keys.line();
    io.err('\n');
    if (first === undefined || second === undefined) return missingPassword();
    if (first !== second) throw new BadInput('the two passwords differ: nothing was sent');
    return first;
  } finally {
    keys.close();
  }
}

function missingPassword(): never {
  throw new BadInput('no password given: type it when asked, pipe it on stdin, or use --password-file');
}

/**
 * Lines typed or piped on an input stream. On a TTY it switches to raw mode so nothing is echoed,
 * and handles backspace, Ctrl-C (cancel) and Ctrl-D (end) itself. Keys typed ahead are kept for
 * the next line.
 */
class KeyReader {
  private buffer = '';
  private ended = false;
  private wake: (() => void) | undefined;
  private readonly onData = (chunk: Buffer | string) => {
    this.buffer += chunk.toString();
    this.wake?.();
  };
  private readonly onEnd = () => {
    this.ended = true;
    this.wake?.();
  };

  constructor(private readonly input: NonNullable<PasswordTerminal['input']>) {
    if (input.isTTY) input.setRawMode?.(true);
    input.on('data', this.onData);
    input.on('end', this.onEnd);
    input.resume();
  }

  /** The next line, or undefined when the input ends (or Ctrl-D) before any character of it. */
  async line(): Promise<string | undefined> {
    let line = '';
    for (;;) {
      while (this.buffer.length > 0) {
        const ch = this.buffer[0]!;
        this.buffer = this.buffer.slice(1);
        if (ch === '\r' || ch === '\n') {
          if (ch === '\r' && this.buffer[0] === '\n') this.buffer = this.buffer.slice(1);
          return line;
        }
        if (ch === '\u0003') throw new BadInput('cancelled: nothing was sent');
        if (ch === '\u0004') return line || undefined;
        if (ch === '\u007f' || ch === '\b') line = line.slice(0, -1);
        else line += ch;
      }
      if (this.ended) return line || undefined;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  close(): void {
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    if (this.input.isTTY) this.input.setRawMode?.(false);
    this.input.pause();
  }
}

type Answer = { ok: boolean; message: string };

/** `POST /register` with a JSON body (WattTime refuses the fields in the query string). */
async function register(r: Registration, password: string): Promise<Answer> {
  const body: Record<string, string> = { username: r.username, password, email: r.email };
  if (r.org) body.org = r.org;
  let status: number;
  let text: string;
  let statusMessage: string | undefined;
  try {
    // Account creation can take long upstream (the official client allows 60 s); never repeated.
    const res = await fetch(`${r.baseUrl}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    [status, text, statusMessage] = [res.status, await res.text(), res.statusText || undefined];
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    return { ok: false, message: `could not reach WattTime at ${r.baseUrl} (${code}); nothing was created` };
  }
  const json = parseObject(text);
  if (status >= 200 && status < 300) {
    const said = typeof json?.ok === 'string' ? ` (${json.ok})` : '';
    return { ok: true, message: `WattTime created the account "${r.username}"${said}. It may send ${r.email} an email to verify first.` };
  }
  if (status >= 500) {
    return { ok: false, message: `WattTime failed to answer (HTTP ${status}${statusMessage ? ` ${statusMessage}` : ''}); nothing was created, try again later` };
  }
  return { ok: false, message: `WattTime refused the registration: ${refusal(json, status, statusMessage)}` };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** WattTime's reason in plain words: its `error`/`message`, or FastAPI's `detail` list. */
function refusal(json: Record<string, unknown> | undefined, status: number, statusMessage: string | undefined): string {
  const text = [json?.error, json?.message].find((v): v is string => typeof v === 'string' && v !== '');
  if (text) return text;
  if (Array.isArray(json?.detail)) {
    const lines = json.detail.map((d: { loc?: unknown[]; msg?: unknown }) => {
      const field = (d.loc ?? []).filter((part) => part !== 'body').join('.');
      return `\n  ${field ? `${field}: ` : ''}${String(d.msg ?? 'invalid')}`;
    });
    return lines.join('');
  }
  if (typeof json?.detail === 'string') return json.detail;
  return `HTTP ${status}${statusMessage ? ` ${statusMessage}` : ''}`;
}

function configLines(r: Registration): string {
  const baseUrl = r.baseUrl === DEFAULT_BASE_URL ? '' : `      base_url: ${r.baseUrl}\n`;
  return `
Set these in the host's environment (or in the .env file beside docker-compose.yml):

WATTTIME_USERNAME=${r.username}
WATTTIME_PASSWORD=<the password you just chose>

and give the source in your config file (config/sources.yaml has it already as "carbon"):

sources:
  ${r.source}:
    plugin: watttime
    credentials:
      username: \${WATTTIME_USERNAME}
      password: \${WATTTIME_PASSWORD}
    options:
      region: \${GRID_REGION:-CAISO_NORTH}   # a free account reads CAISO_NORTH
${baseUrl}
The source starts by itself once the variables are set.
`;
}
