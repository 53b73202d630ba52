import { DataError } from '../../core/plugin-api/index.js';

/** An ISO 8601 date-time that carries its timezone, as WattTime writes every time. */
const ZONED_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Reads one upstream payload and says exactly what is wrong with it: every check names the
 * payload and the path of the value, so a failure reads "forecast: data[3].value is not a number".
 */
export class PayloadReader {
  /** @param what the payload's name in messages: `forecast`, `signal-index`, `my-access`. */
  constructor(private readonly what: string) {}

  /** Throws the {@link DataError} for `path` (empty for the whole body). */
  fail(path: string, problem: string): never {
    throw new DataError(`${this.what}: ${path || 'the body'} ${problem}`);
  }

  /** The body as a JSON object, parsing it first when it arrives as text or bytes. */
  body(raw: unknown): Record<string, unknown> {
    let value = raw;
    if (typeof raw === 'string' || Buffer.isBuffer(raw)) {
      try {
        value = JSON.parse(raw.toString());
      } catch (err) {
        throw new DataError(`${this.what}: the body is not valid JSON`, { cause: err });
      }
    }
    return this.object(value, '');
  }

  object(value: unknown, path: string): Record<string, unknown> {
    if (value === undefined) this.fail(path, 'is missing');
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(path, 'is not a JSON object');
    return value as Record<string, unknown>;
  }

  array(value: unknown, path: string): unknown[] {
    if (value === undefined) this.fail(path, 'is missing');
    if (!Array.isArray(value)) this.fail(path, 'is not an array');
    return value;
  }

  string(value: unknown, path: string): string {
    if (value === undefined) this.fail(path, 'is missing');
    if (typeof value !== 'string' || value === '') this.fail(path, 'is not a non-empty string');
    return value;
  }

  /** A string that may be empty. */
  text(value: unknown, path: string): string {
    if (value === undefined) this.fail(path, 'is missing');
    if (typeof value !== 'string') this.fail(path, 'is not a string');
    return value;
  }

  /** A finite number (JSON has no NaN, but a string "870" is not a number either). */
  number(value: unknown, path: string): number {
    if (value === undefined) this.fail(path, 'is missing');
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(path, 'is not a number');
    return value;
  }

  /** A date-time with a timezone, e.g. `2022-07-15T00:00:00+00:00`. */
  time(value: unknown, path: string): Date {
    if (value === undefined) this.fail(path, 'is missing');
    const ms = typeof value === 'string' && ZONED_TIME.test(value) ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(ms)) this.fail(path, 'is not a date-time with a timezone');
    return new Date(ms);
  }

  /** `undefined` (and `null`) pass through; anything else must satisfy `read`. */
  optional<T>(value: unknown, path: string, read: (value: unknown, path: string) => T): T | undefined {
    return value === undefined || value === null ? undefined : read.call(this, value, path);
  }
}
