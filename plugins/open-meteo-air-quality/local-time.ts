const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * Turns an Open-Meteo time into an instant. With `timezone` set, Open-Meteo writes local times
 * without an offset (`2026-10-25T02:00`) and gives ONE `utc_offset_seconds` for the whole answer:
 * the offset valid when the request was made, applied to every time, with no daylight-saving
 * switch inside the series (open-meteo/open-meteo#488, #1255). Subtracting that one offset is
 * therefore exact for every time of the answer, also past a DST change, where a zone database
 * would be off by an hour. Numbers are `timeformat=unixtime` seconds, always UTC.
 */
export function toInstant(value: unknown, utcOffsetSeconds: number): Date | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? new Date(value * 1000) : undefined;
  if (typeof value !== 'string') return undefined;
  const m = LOCAL.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
  const local = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Date.UTC rolls 2026-02-30 or 25:00 over; a real time comes back unchanged.
  const real =
    local.getUTCFullYear() === y && local.getUTCMonth() === mo - 1 && local.getUTCDate() === d && local.getUTCHours() === h && local.getUTCMinutes() === mi;
  return real ? new Date(local.getTime() - utcOffsetSeconds * 1000) : undefined;
}
