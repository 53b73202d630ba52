import { wallClockToInstant } from '../../core/plugin-api/index.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * A record's time in one of the formats a source names: ISO 8601 with an offset (`Z` or `+01:00`),
 * epoch seconds or milliseconds (a number or digits), or a local time without offset in
 * `timeZone`. Undefined for anything else.
 */
export function readTime(value: unknown, format: string, timeZone?: string): Date | undefined {
  if (format === 'epoch_s' || format === 'epoch_ms') {
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
    return valid(format === 'epoch_s' ? n * 1000 : n);
  }
  if (typeof value !== 'string') return undefined;
  if (format === 'iso8601') return ISO.test(value) ? valid(Date.parse(value)) : undefined;
  const m = LOCAL.exec(value);
  if (!m || !timeZone) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map((s) => Number(s ?? 0)) as number[];
  return wallClockToInstant({ year: year!, month: month!, day: day!, hour, minute, second }, timeZone);
}

function valid(ms: number): Date | undefined {
  const d = new Date(ms);
  return Number.isFinite(ms) && !Number.isNaN(d.getTime()) ? d : undefined;
}
