import { UpstreamError, type DataSource, type FetchResult, type ItemError, type Point, type RunContext } from '../../core/plugin-api/index.js';
import { getJson, partFailure, TITLE } from './answers.js';
import { configuredArea, type Area, type UkCarbonOptions } from './options.js';
import { readGeneration, readNational, readRegion, type RegionAnswer } from './periods.js';
import { intensityPoints, latestPeriods, mixPoints, NATIONAL, PERIOD_MS } from './points.js';

type Ctx = RunContext<UkCarbonOptions>;

/** NESO's time format: `2026-12-05T07:00Z`, the start of the current half hour. */
function periodStart(now: number): string {
  return new Date(Math.floor(now / PERIOD_MS) * PERIOD_MS).toISOString().slice(0, 16) + 'Z';
}

/** The path tail and the words of a regional area: `regionid/13`, `postcode/RG41`. */
function regional(area: Exclude<Area, { kind: 'national' }>): { tail: string; about: string } {
  return area.kind === 'regionid'
    ? { tail: `regionid/${area.id}`, about: `region_id ${area.id}` }
    : { tail: `postcode/${encodeURIComponent(area.outward)}`, about: `postcode ${area.outward}` };
}

/**
 * The points without repeats: the current period comes in the forecast and again on its own,
 * where its actual value is fresher; the later point of a series and time wins.
 */
function lastOfEach(points: readonly Point[]): Point[] {
  const byKey = new Map<string, Point>();
  for (const p of points) byKey.set(`${p.measurement}|${JSON.stringify(p.tags)}|${p.time.getTime()}`, p);
  return [...byKey.values()];
}

/** What one run gathers. */
interface Gathered {
  points: Point[];
  errors: ItemError[];
}

/** Runs one part besides the forecast; its failure is recorded and the run goes on. */
async function part(run: Gathered, name: string, read: () => Promise<Point[]>): Promise<void> {
  try {
    run.points.push(...(await read()));
  } catch (err) {
    const failure = partFailure(err, name);
    if (!failure) throw err;
    run.errors.push({ item: name, error: failure });
  }
}

/**
 * One source of the NESO Carbon Intensity API: the forecast of the next 24 or 48 hours (which
 * must come, or the run fails), then the current period (its actual value, nationally) and the
 * generation mix, each recorded as an item error when it fails alone.
 */
export class UkCarbonSource implements DataSource<UkCarbonOptions> {
  private readonly area: Area;
  private region: RegionAnswer | undefined;

  constructor(private readonly options: UkCarbonOptions) {
    this.area = configuredArea(options);
  }

  async fetch(ctx: Ctx): Promise<FetchResult> {
    const run: Gathered = { points: [], errors: [] };
    const window = `${periodStart(Date.now())}/fw${this.options.forecast_hours}h`;
    const area = this.area;
    if (area.kind === 'national') {
      const periods = readNational(await getJson(ctx, `intensity/${window}`), `fw${this.options.forecast_hours}h`);
      this.expectPeriods(periods.length, 'Great Britain');
      run.points.push(...intensityPoints(NATIONAL, periods));
      await part(run, 'current period', async () => intensityPoints(NATIONAL, readNational(await getJson(ctx, 'intensity'), 'intensity')));
      if (this.options.generation_mix) {
        await part(run, 'generation mix', async () => {
          const { from, mix } = readGeneration(await getJson(ctx, 'generation'));
          return mixPoints(NATIONAL, from, mix);
        });
      }
    } else {
      const { tail, about } = regional(area);
      const region = readRegion(await getJson(ctx, `regional/intensity/${window}/${tail}`, about), `fw${this.options.forecast_hours}h`);
      this.expectPeriods(region.periods.length, about);
      this.region = region;
      run.points.push(...this.regionPoints(region));
      await part(run, 'current period', async () => this.regionPoints(readRegion(await getJson(ctx, `regional/${tail}`, about), 'current')));
    }
    return { points: lastOfEach(run.points), errors: run.errors, details: this.details() };
  }

  latest(points: readonly Point[], now: Date): unknown {
    return latestPeriods(points, now);
  }

  /** NESO always forecasts: an empty answer is a failure, not a quiet run. */
  private expectPeriods(count: number, what: string): void {
    if (count === 0) throw new UpstreamError(`${TITLE} sent no forecast periods for ${what}`, { retryable: true });
  }

  private regionPoints(region: RegionAnswer): Point[] {
    const points = intensityPoints(region.shortname, region.periods);
    if (!this.options.generation_mix) return points;
    return [...points, ...region.periods.flatMap((p) => mixPoints(region.shortname, p.from, p.mix))];
  }

  private details(): Record<string, unknown> {
    if (this.area.kind === 'national' || !this.region) return { area: 'Great Britain', region: NATIONAL };
    const { regionId, shortname, dnoregion } = this.region;
    const asked = this.area.kind === 'postcode' ? { postcode: this.area.outward } : {};
    return { area: shortname, region: shortname, region_id: regionId, dno_region: dnoregion, ...asked };
  }
}
