import {
  answerObject,
  localTimeToInstant,
  optionalNumber,
  readColumnBlock,
  readRowBlock,
  readUtcOffset,
  type SeriesRow,
} from '../../core/plugin-api/index.js';
import type { Variable } from './variables.js';

/** Values of one time; null where Open-Meteo has none. */
export type Snapshot = SeriesRow;

/** A `/v1/forecast` answer, checked and with its times as instants. */
export interface ForecastResponse {
  utcOffsetSeconds: number;
  timezone?: string;
  latitude?: number;
  longitude?: number;
  elevation?: number;
  current?: Snapshot;
  hourly: Snapshot[];
}

/**
 * Checks an answer of `/v1/forecast` and converts its local times with `utc_offset_seconds`
 * (exact for the whole answer: see localTimeToInstant). Whatever is not as documented is a
 * DataError saying where (`hourly.time[3] is not a date`); a unit other than the one asked for
 * (`current_units`, `hourly_units`) is one too.
 */
export function readForecastResponse(body: unknown, variables: readonly Variable[]): ForecastResponse {
  const answer = answerObject(body);
  const offset = readUtcOffset(answer, 'utc_offset_seconds');
  const names = variables.map((v) => v.api);
  const expected = Object.fromEntries(variables.map((v) => [v.api, v.unit]));
  const toTime = (t: unknown) => localTimeToInstant(t, offset);
  return {
    utcOffsetSeconds: offset,
    timezone: typeof answer.timezone === 'string' ? answer.timezone : undefined,
    latitude: optionalNumber(answer.latitude),
    longitude: optionalNumber(answer.longitude),
    elevation: optionalNumber(answer.elevation),
    current: readRowBlock(answer, 'current', { names, toTime, units: { block: 'current_units', expected } }),
    hourly: readColumnBlock(answer, 'hourly', { names, toTime, units: { block: 'hourly_units', expected } }),
  };
}
