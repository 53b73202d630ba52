import { createRequire } from 'node:module';
import { pino, type Logger, type DestinationStream } from 'pino';
import type { PrettyOptions } from 'pino-pretty';
import { ConfigError } from '../plugin-api/errors.js';
import { Redactor } from './redactor.js';

export type { Logger };

/** Keys whose values are censored wherever they appear in a logged object. */
const SECRET_KEYS = [
  'password',
  'token',
  'api_key',
  'apiKey',
  'client_secret',
  'refresh_token',
  'access_token',
  'authorization',
  'Authorization',
  'secret',
];
const REDACT_PATHS = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]);

export interface LoggerOptions {
  level?: string;
  /** Where lines go; default stdout in the {@link logFormat}. */
  destination?: DestinationStream;
  /** `pretty` or `json` for stdout; default env LOG_FORMAT, else pretty on a TTY and JSON otherwise. */
  format?: string;
  redactor: Redactor;
}

export type LogFormat = 'pretty' | 'json';

/**
 * Readable lines on a terminal, JSON lines for a service (Docker, systemd) or a pipe; `format`
 * (LOG_FORMAT) chooses. Throws a ConfigError (exit 2) for any other value.
 */
export function logFormat(format: string | undefined, isTTY: boolean): LogFormat {
  const wanted = format?.trim();
  if (!wanted) return isTTY ? 'pretty' : 'json';
  if (wanted === 'pretty' || wanted === 'json') return wanted;
  throw new ConfigError(`environment variable LOG_FORMAT must be pretty or json, not "${wanted}"`);
}

/**
 * The root logger on stdout, or on `destination`. Secrets are removed twice: known keys by pino's
 * `redact`, and every resolved secret value by the redactor on the finished line.
 */
export function createLogger(options: LoggerOptions): Logger {
  const { redactor } = options;
  const level = options.level ?? 'info';
  const isTTY = process.stdout.isTTY === true;
  const destination =
    options.destination ??
    (logFormat(options.format ?? process.env.LOG_FORMAT, isTTY) === 'pretty'
      ? prettyStream({ colorize: isTTY, sync: true })
      : pino.destination({ sync: false }));
  return pino(
    {
      level,
      base: { name: 'homeiq' },
      redact: { paths: REDACT_PATHS, censor: Redactor.CENSOR },
      hooks: { streamWrite: (line: string) => redactor.redact(line) },
      serializers: { err: (err: unknown) => serializeError(err, redactor) },
    },
    destination,
  );
}

/**
 * pino-pretty, loaded only for pretty output: a service (Docker, systemd) writes JSON lines and need
 * not hold the pretty-printer and its dependencies in memory.
 */
function prettyStream(options: PrettyOptions): DestinationStream {
  const load = createRequire(import.meta.url);
  return (load('pino-pretty') as (o: PrettyOptions) => DestinationStream)(options);
}

/**
 * Errors are logged by message, kind and status only: got's errors carry request options (headers,
 * URLs with keys) that must never reach a log. Messages are redacted, then bounded (Redactor.brief):
 * the line is redacted again as a whole, but a cut would leave a secret's prefix.
 */
export function serializeError(err: unknown, redactor: Redactor): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: redactor.brief(String(err)) };
  const out: Record<string, unknown> = { type: err.name, message: redactor.brief(err.message) };
  const e = err as Error & { kind?: string; httpStatus?: number; code?: string };
  if (e.kind) out.kind = e.kind;
  if (e.httpStatus) out.http_status = e.httpStatus;
  if (e.code) out.code = e.code;
  if (err.cause instanceof Error) out.cause = redactor.brief(err.cause.message);
  return out;
}
