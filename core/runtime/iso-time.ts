/**
 * A time as `/health` shows it: an ISO 8601 string, or null when there is none or it is outside
 * the range a Date can format (a bad state must not break the report: toISOString would throw).
 */
export function isoOrNull(t: number | null | undefined): string | null {
  if (t === null || t === undefined || !Number.isFinite(t) || Math.abs(t) > 8.64e15) return null;
  return new Date(t).toISOString();
}

/** A time in ISO 8601 (UTC) without milliseconds when it has none (`2026-12-05T20:00:00Z`), as the planner answers. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/**
 * The ISO string of a time that changes far less often than it is shown: formatted when it
 * changes, not at every `/health` request (formatting dates was a quarter of a request's cost).
 */
export class IsoTime {
  private time: number | null = null;
  private text: string | null = null;

  of(t: number | null): string | null {
    if (t !== this.time) {
      this.time = t;
      this.text = isoOrNull(t);
    }
    return this.text;
  }
}
