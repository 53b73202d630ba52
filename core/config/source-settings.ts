import { parseDuration } from '../plugin-api/duration.js';
import type { CredentialsSpec, PluginDeclaration } from '../plugin-api/plugin.js';
import { credentialsSpec } from './plugin-options.js';

/**
 * The defaults of the options the host gives every source, written once: the options schema
 * (plugin-options.ts) shows them as its defaults, and {@link sourceSettings} falls back to them.
 */
export const SOURCE_DEFAULTS = {
  error_after: 3,
  timeout: '60s',
  retries: 3,
  credentials_retry_after: '15m',
  refresh_before: '5m',
  max_points_per_run: 100_000,
  max_latest_series: 10_000,
} as const;

/** A source's host options, resolved once into the typed values the runtime uses. */
export interface SourceSettings {
  /** Time allowed for one run (and for one token request). */
  timeoutMs: number;
  /** HTTP retries within one run. */
  retries: number;
  /** Consecutive failed runs before the source is in error. */
  errorAfter: number;
  /** Wait before trying credentials (or access) the upstream refused again. */
  credentialsRetryAfterMs: number;
  /** Renew a token this long before it expires. */
  refreshBeforeMs: number;
  /** Points of one run beyond this are dropped (counted and logged). */
  maxPointsPerRun: number;
  /** Series `/api/sources/:id/latest` keeps at most (the least recently seen go first). */
  maxLatestSeries: number;
  /** Age of the newest point after which the source is stale (none: never stale). */
  maxDataAgeMs?: number;
  baseUrl?: string;
  /** OAuth2 token endpoint (absolute, or relative to `baseUrl`), for `oauth2_refresh` plugins. */
  tokenUrl?: string;
  /** How the source signs in (the plugin's `credentials`, or its `credentialsOf` this source's options). */
  credentials?: CredentialsSpec;
}

/** Resolves `options` (validated against the plugin's options schema) into {@link SourceSettings}. */
export function sourceSettings(plugin: PluginDeclaration | null, options: Record<string, unknown>): SourceSettings {
  const spec = plugin ? credentialsSpec(plugin, options) : undefined;
  const maxDataAge = options.max_data_age ?? plugin?.max_data_age;
  return {
    timeoutMs: duration(options.timeout, SOURCE_DEFAULTS.timeout),
    retries: typeof options.retries === 'number' ? options.retries : SOURCE_DEFAULTS.retries,
    errorAfter: typeof options.error_after === 'number' ? options.error_after : SOURCE_DEFAULTS.error_after,
    credentialsRetryAfterMs: duration(options.credentials_retry_after, SOURCE_DEFAULTS.credentials_retry_after),
    refreshBeforeMs: duration(options.refresh_before, SOURCE_DEFAULTS.refresh_before),
    maxPointsPerRun: typeof options.max_points_per_run === 'number' ? options.max_points_per_run : SOURCE_DEFAULTS.max_points_per_run,
    maxLatestSeries: typeof options.max_latest_series === 'number' ? options.max_latest_series : SOURCE_DEFAULTS.max_latest_series,
    maxDataAgeMs: maxDataAge === undefined ? undefined : parseDuration(String(maxDataAge)),
    baseUrl: typeof options.base_url === 'string' ? options.base_url : plugin?.base_url,
    tokenUrl: typeof options.token_url === 'string' ? options.token_url : spec?.style === 'oauth2_refresh' ? spec.token_url : undefined,
    credentials: spec,
  };
}

function duration(value: unknown, fallback: string): number {
  return parseDuration(typeof value === 'string' || typeof value === 'number' ? value : fallback) ?? parseDuration(fallback)!;
}
