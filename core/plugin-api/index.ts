/**
 * The plugin API: the only module a plugin imports. Everything here is public and versioned by
 * {@link PLUGIN_API_VERSION}.
 */
export { definePlugin, PLUGIN_API_VERSION, SUPPORTED_API_VERSIONS } from './plugin.js';
export type { PluginDeclaration, CredentialsSpec, JsonSchema } from './plugin.js';
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
