import { describe, expect, it } from 'vitest';
import { statusIcon } from '../../core/runtime/status-icon.js';
import type { Status, StatusDetail } from '../../core/runtime/source-state.js';

// The page's browser modules are plain JavaScript (no build step); Node imports them as they are.
const script = (name: string) => new URL(`../../core/http/status-page/${name}`, import.meta.url).href;

type Icon = { icon: string; text: string };
type Sample = { time: number; value: number };
const browserIcon = (await import(script('status-icon.js'))) as { statusIcon(status: string, detail: string): Icon; statusTone(status: string, detail: string): string };
const time = (await import(script('relative-time.js'))) as { relativeTime(iso: string | null, now?: number): string };
const chart = (await import(script('sparkline.js'))) as {
  chartCoordinates(samples: Sample[], box: { width: number; height: number; pad: number }): { x: number; y: number }[];
  chartDescription(name: string, samples: Sample[]): string;
};
const { ValueHistory } = (await import(script('value-history.js'))) as {
  ValueHistory: new (limit?: number) => { add(id: string, latest: unknown): void; get(id: string): { series: { key: string; field: string }; samples: Sample[] } | undefined; keepOnly(ids: string[]): void };
};

const STATUSES: readonly Status[] = ['healthy', 'degraded', 'error', 'unknown'];
// A Record so that a new StatusDetail fails to compile here until the test covers it.
const DETAILS: Record<StatusDetail, true> = {
  operational: true, credentials_missing: true, credentials_invalid: true, access_denied: true, rate_limited: true,
  stale: true, starting: true, degraded: true, error: true, disabled: true,
};

describe('the page’s icon table (status-icon.js)', () => {
  it('agrees with core/runtime/status-icon.ts on every status and detail, plugin details included', () => {
    const details = [...Object.keys(DETAILS), 'region_unavailable'];
    for (const status of STATUSES) {
      for (const detail of details) expect(browserIcon.statusIcon(status, detail), `${status}/${detail}`).toEqual(statusIcon(status, detail));
    }
  });

  it('gives the rows of CONTRACT §3', () => {
    expect(browserIcon.statusIcon('healthy', 'operational')).toEqual({ icon: '✅', text: 'Healthy' });
    expect(browserIcon.statusIcon('healthy', 'credentials_missing')).toEqual({ icon: '🔑', text: 'Credentials Needed' });
    expect(browserIcon.statusIcon('error', 'credentials_invalid')).toEqual({ icon: '🔑', text: 'Credentials Rejected' });
    expect(browserIcon.statusIcon('degraded', 'rate_limited')).toEqual({ icon: '⚠️', text: 'Degraded' });
    expect(browserIcon.statusIcon('error', 'access_denied')).toEqual({ icon: '❌', text: 'Error' });
    expect(browserIcon.statusIcon('unknown', 'disabled')).toEqual({ icon: '⏸️', text: 'Paused' });
    expect(browserIcon.statusTone('healthy', 'credentials_missing')).toBe('key');
    expect(browserIcon.statusTone('error', 'access_denied')).toBe('bad');
  });
});

describe('relative times', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  const ago = (ms: number) => new Date(now - ms).toISOString();
  it.each([
    [null, 'never'],
    [ago(2000), 'just now'],
    [ago(12_000), '12 s ago'],
    [ago(3 * 60_000 + 20_000), '3 min ago'],
    [ago(2 * 3600_000 + 59 * 60_000), '2 h ago'],
    [ago(86400_000), '1 day ago'],
    [ago(4 * 86400_000), '4 days ago'],
    [ago(-5 * 60_000), 'in 5 min'],
    [ago(-1000), 'in a moment'],
    ['not a time', 'unknown time'],
  ])('%s reads "%s"', (iso, expected) => {
    expect(time.relativeTime(iso, now)).toBe(expected);
  });
});

describe('the chart', () => {
  const box = { width: 100, height: 50, pad: 5 };
  it('spans the box from the oldest to the newest sample, highest value on top', () => {
    const points = chart.chartCoordinates([{ time: 0, value: 10 }, { time: 50, value: 30 }, { time: 100, value: 20 }], box);
    expect(points).toEqual([{ x: 5, y: 45 }, { x: 50, y: 5 }, { x: 95, y: 25 }]);
  });

  it('centres what it cannot spread: one sample, equal values', () => {
    expect(chart.chartCoordinates([{ time: 7, value: 3 }], box)).toEqual([{ x: 50, y: 25 }]);
    expect(chart.chartCoordinates([{ time: 0, value: 3 }, { time: 10, value: 3 }], box).map((p) => p.y)).toEqual([25, 25]);
    expect(chart.chartCoordinates([], box)).toEqual([]);
  });

  it('says in words what it shows', () => {
    expect(chart.chartDescription('aqi', [])).toBe('No values of aqi yet');
    expect(chart.chartDescription('aqi', [{ time: 1, value: 12 }])).toBe('aqi: 1 value so far, 12');
    expect(chart.chartDescription('aqi', [{ time: 1, value: 12 }, { time: 2, value: 40.1234 }, { time: 3, value: 30 }])).toBe(
      'aqi: 3 values from 12 to 40.123, latest 30',
    );
  });
});

describe('the values the page collects', () => {
  const latest = (time: string, value: number, extra: Record<string, unknown> = {}) => ({
    points: [
      { measurement: 'calendar_event', time, tags: { source: 's' }, fields: { summary: 'Dentist' } },
      { measurement: 'air_quality', time, tags: { source: 's', parameter: 'pm25' }, fields: { category_name: 'Good', aqi: value, ...extra } },
    ],
  });

  it('draws the first numeric field and keeps one sample per point time, oldest first', () => {
    const history = new ValueHistory();
    history.add('s', latest('2026-01-01T10:00:00Z', 20));
    history.add('s', latest('2026-01-01T09:00:00Z', 10));
    history.add('s', latest('2026-01-01T10:00:00Z', 25)); // re-fetched: the value is replaced
    const entry = history.get('s')!;
    expect(entry.series).toMatchObject({ key: 'air_quality|parameter=pm25,source=s|aqi', field: 'aqi' });
    expect(entry.samples).toEqual([
      { time: Date.parse('2026-01-01T09:00:00Z'), value: 10 },
      { time: Date.parse('2026-01-01T10:00:00Z'), value: 25 },
    ]);
  });

  it('keeps at most its limit, ignores answers without numbers, and forgets removed sources', () => {
    const history = new ValueHistory(3);
    for (let h = 0; h < 5; h++) history.add('s', latest(`2026-01-01T0${h}:00:00Z`, h));
    expect(history.get('s')!.samples.map((s) => s.value)).toEqual([2, 3, 4]);
    history.add('calendar', { points: [{ measurement: 'calendar_event', time: '2026-01-01T00:00:00Z', fields: { summary: 'x' } }] });
    history.add('custom', { current: null });
    expect(history.get('calendar')).toBeUndefined();
    expect(history.get('custom')).toBeUndefined();
    history.keepOnly(['other']);
    expect(history.get('s')).toBeUndefined();
  });
});

const { errorIsPast } = (await import(script('source-card.js'))) as { errorIsPast(s: Record<string, unknown>): boolean };

describe('a last error from before the last success (source-card.js)', () => {
  const error = { at: '2026-01-01T09:00:00.000Z', message: 'Example answered 503', http_status: 503 };
  it('is past once a fetch succeeded after it, and current otherwise', () => {
    expect(errorIsPast({ last_error: error, last_successful_fetch: '2026-01-01T12:00:00.000Z' })).toBe(true);
    expect(errorIsPast({ last_error: error, last_successful_fetch: '2026-01-01T08:00:00.000Z' })).toBe(false);
    expect(errorIsPast({ last_error: error, last_successful_fetch: null })).toBe(false);
    expect(errorIsPast({ last_error: null, last_successful_fetch: '2026-01-01T12:00:00.000Z' })).toBe(false);
  });
});
