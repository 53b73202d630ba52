// The recent values of each source, collected by the page from `/api/sources/:id/latest` while it
// is open: the host answers only the newest point of each series, so the page keeps the rest.

/**
 * @typedef {{ measurement: string, time: string, tags?: Record<string, string>, fields?: Record<string, unknown> }} LatestPoint
 * @typedef {{ key: string, measurement: string, field: string, tags: Record<string, string> }} Series
 * @typedef {{ time: number, value: number }} Sample
 */

/**
 * The series a source's chart draws: the first numeric field of the first point that has one.
 * @param {LatestPoint[]} points
 * @returns {Series | null}
 */
export function chartSeries(points) {
  for (const p of points) {
    for (const [field, value] of Object.entries(p.fields ?? {})) {
      if (typeof value === 'number' && Number.isFinite(value)) return seriesOf(p, field);
    }
  }
  return null;
}

/** @param {LatestPoint} p @param {string} field @returns {Series} */
function seriesOf(p, field) {
  const tags = p.tags ?? {};
  const tagKey = Object.keys(tags).sort().map((k) => `${k}=${tags[k]}`).join(',');
  return { key: `${p.measurement}|${tagKey}|${field}`, measurement: p.measurement, field, tags };
}

/** Per source: the series it draws and its samples, oldest first, at most `limit` of them. */
export class ValueHistory {
  /** @param {number} [limit] */
  constructor(limit = 60) {
    this.limit = limit;
    /** @type {Map<string, { series: Series, samples: Sample[] }>} */
    this.sources = new Map();
  }

  /**
   * Takes one answer of `/api/sources/:id/latest`. A point at a time already seen replaces that
   * sample (a re-fetched forecast overwrites its value, as InfluxDB does).
   * @param {string} sourceId
   * @param {{ points?: LatestPoint[] } | null | undefined} latest
   */
  add(sourceId, latest) {
    const points = Array.isArray(latest?.points) ? latest.points : [];
    // The series stays the one first drawn; an answer without it adds nothing.
    let entry = this.sources.get(sourceId);
    if (!entry) {
      const series = chartSeries(points);
      if (!series) return;
      entry = { series, samples: [] };
      this.sources.set(sourceId, entry);
    }
    const { series, samples } = entry;
    for (const p of points) {
      const value = p.fields?.[series.field];
      const time = Date.parse(p.time);
      if (seriesOf(p, series.field).key !== series.key || typeof value !== 'number' || Number.isNaN(time)) continue;
      const same = samples.findIndex((s) => s.time === time);
      if (same >= 0) samples[same] = { time, value };
      else samples.push({ time, value });
    }
    samples.sort((a, b) => a.time - b.time);
    samples.splice(0, Math.max(0, samples.length - this.limit));
  }

  /**
   * @param {string} sourceId
   * @returns {{ series: Series, samples: Sample[] } | undefined}
   */
  get(sourceId) {
    return this.sources.get(sourceId);
  }

  /** Forgets sources no longer in the config. @param {Iterable<string>} ids the ids still there */
  keepOnly(ids) {
    const keep = new Set(ids);
    for (const id of [...this.sources.keys()]) if (!keep.has(id)) this.sources.delete(id);
  }
}
