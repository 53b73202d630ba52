import { answerObject, localTimeToInstant, optionalNumber, readColumnBlock, readRowBlock, readUtcOffset, type SeriesRow } from '../../core/plugin-api/index.js';

/** Values of one time; null where Open-Meteo has none. */
export type Snapshot = SeriesRow;

/** A `/v1/air-quality` answer, checked and with its times as instants. */
export interface AirQualityResponse {
  utcOffsetSeconds: number;
  timezone?: string;
  latitude?: number;
  longitude?: number;
  current?: Snapshot;
  hourly: Snapshot[];
}

/**
 * Checks an answer of `/v1/air-quality` and converts its local times with `utc_offset_seconds`
 * (exact for the whole answer: see localTimeToInstant). Whatever is not as documented is a
 * DataError saying where (`hourly.us_aqi[3] is not a number`).
 */
export function readAirQualityResponse(body: unknown, names: readonly string[]): AirQualityResponse {
  const answer = answerObject(body);
  const offset = readUtcOffset(answer, 'utc_offset_seconds');
  const spec = { names, toTime: (t: unknown) => localTimeToInstant(t, offset) };
  const place = { latitude: optionalNumber(answer.latitude), longitude: optionalNumber(answer.longitude) };
  const timezone = typeof answer.timezone === 'string' ? answer.timezone : undefined;
  return { utcOffsetSeconds: offset, timezone, ...place, current: readRowBlock(answer, 'current', spec), hourly: readColumnBlock(answer, 'hourly', spec) };
}
