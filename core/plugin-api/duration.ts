const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a duration such as `500ms`, `30s`, `5m`, `1h30m` or `2d` into milliseconds.
 * A bare number is taken as seconds. Returns undefined for anything else.
 */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text * 1000 : undefined;
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    matched = re.lastIndex;
  }
  return matched > 0 && matched === s.length ? total : undefined;
}

/**
 * The longest duration a config may give (`interval`, `timeout`, `local_retention`, …): ten years.
 * A longer one is a typo (`100000000d`), and would take dates out of the range JavaScript can
 * format.
 */
export const LONGEST_DURATION = '3660d';
export const LONGEST_DURATION_MS = 3660 * 86_400_000;

/** Whether `text` is a duration no longer than {@link LONGEST_DURATION}; other text is the pattern's to refuse. */
export function withinLongestDuration(text: string): boolean {
  const ms = parseDuration(text);
  return ms === undefined || ms <= LONGEST_DURATION_MS;
}
