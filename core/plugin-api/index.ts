/**
 * The plugin API: the only module a plugin imports. Everything here is public and versioned by
 * {@link PLUGIN_API_VERSION}.
 */
export { definePlugin, PLUGIN_API_VERSION, SUPPORTED_API_VERSIONS } from './plugin.js';
export type { PluginDeclaration, CredentialsSpec, JsonSchema, OptionProblem } from './plugin.js';
/** TypeBox, to write an options schema whose type follows from it (`Static<typeof Options>`). */
export { Type } from '@sinclair/typebox';
export type { Static } from '@sinclair/typebox';
export { StringEnum } from './string-enum.js';
export type { PluginCommand, CommandIo } from './command.js';
export type { EntityDeclaration } from './entity.js';
export { carbonIntensityEntity, priceEntities, weatherEntities, airQualityEntities, NEXT_EVENT_ENTITY } from './entity.js';
export type {
  DataSource,
  CreateContext,
  RunContext,
  LoginContext,
  TokenGrant,
  FetchResult,
  ItemError,
} from './data-source.js';
export { int, isIntField } from './point.js';
export type { Point, FieldValue, IntField, SourcePoint } from './point.js';
export {
  HomeiqError,
  ConfigError,
  CredentialsError,
  AccessDeniedError,
  UpstreamError,
  RateLimitError,
  DataError,
  StorageError,
  TimeoutError,
  errors,
  errorKind,
} from './errors.js';
export type { ErrorKind, ErrorClasses } from './errors.js';
export { parseDuration } from './duration.js';
export { pointToJson, latestPerSeries, currentAndNext, currentAndNextByResolution, isoDurationMs } from './latest.js';
export { zoneOffsetMs, startOfZonedDay, zonedMinuteOfDay, zonedDate, isTimeZone, wallClockToInstant, parseDate, isRealDate } from './zoned-time.js';
export type { WallClock } from './zoned-time.js';
export { localTimeToInstant, readUtcOffset } from './local-time.js';
export { answerObject, objectAt, numberOrNull, optionalNumber, readRowBlock, readColumnBlock } from './json-answer.js';
export type { JsonObject, SeriesRow, SeriesSpec } from './json-answer.js';
export { flaggedErrorReason, limitResetMs, refusalError, getExplainedJson } from './refusal.js';
export type { RefusalStyle } from './refusal.js';
export { coordinateOptions } from './coordinates.js';
export type { Coordinates } from './coordinates.js';
export { CALENDAR_EVENT, eventWindowOptions, windowAround, overlaps, eventPoint, RemovedEvents, eventsNow } from './calendar-event.js';
export type { CalendarEvent, EventWindow, EventWindowOptions, EventView } from './calendar-event.js';
