import { describe, expect, expectTypeOf, it } from 'vitest';
import { validateSourceOptions } from '../../core/config/plugin-options.js';
import { sourceSettings } from '../../core/config/source-settings.js';
import type { SourceConfig } from '../../core/config/types.js';
import { definePlugin, Type, type PluginDeclaration } from '../../core/plugin-api/index.js';
import openMeteo from '../../plugins/open-meteo/index.js';

const noop = () => ({ fetch: async () => ({ points: [] }) });

const refreshing = definePlugin({
  id: 'refreshing',
  apiVersion: 1,
  title: 'Refreshing',
  base_url: 'https://api.example.test',
  credentials: { style: 'oauth2_refresh', token_url: '/oauth/token' },
  options: Type.Object({ region: Type.String({ default: 'north' }) }, { additionalProperties: false }),
  create: noop,
});

/** The settings of a source of `plugin` whose config file gives `options`. */
function settingsOf(plugin: PluginDeclaration<never>, options: Record<string, unknown>) {
  const source: SourceConfig = { id: 's', plugin: plugin.id, enabled: true, credentials: {}, options };
  const checked = validateSourceOptions(plugin, source, () => undefined, 'sources.yaml');
  expect(checked.problems).toEqual([]);
  return sourceSettings(plugin, checked.options);
}

describe('source settings, resolved once from the options', () => {
  it('gives the defaults the options schema shows when the config sets none', () => {
    expect(settingsOf(refreshing, {})).toEqual({
      timeoutMs: 60_000,
      retries: 3,
      errorAfter: 3,
      credentialsRetryAfterMs: 15 * 60_000,
      refreshBeforeMs: 5 * 60_000,
      maxPointsPerRun: 100_000,
      maxLatestSeries: 10_000,
      maxDataAgeMs: undefined,
      baseUrl: 'https://api.example.test',
      tokenUrl: '/oauth/token',
      credentials: refreshing.credentials,
    });
  });

  it('takes what the config sets, durations in milliseconds', () => {
    const options = { timeout: '90s', retries: 0, error_after: 5, credentials_retry_after: '1h', refresh_before: '2m', max_data_age: '3h', max_points_per_run: 50, max_latest_series: 7, base_url: 'http://127.0.0.1:9/', token_url: 'http://127.0.0.1:9/token' };
    expect(settingsOf(refreshing, options)).toEqual({
      timeoutMs: 90_000,
      retries: 0,
      errorAfter: 5,
      credentialsRetryAfterMs: 3_600_000,
      refreshBeforeMs: 120_000,
      maxPointsPerRun: 50,
      maxLatestSeries: 7,
      maxDataAgeMs: 3 * 3_600_000,
      baseUrl: 'http://127.0.0.1:9/',
      tokenUrl: 'http://127.0.0.1:9/token',
      credentials: refreshing.credentials,
    });
  });

  it("resolves a source's credentials from its options where the plugin chooses per source", () => {
    const perSource = definePlugin({
      id: 'per-source',
      apiVersion: 1,
      title: 'Per source',
      options: Type.Object({ keyed: Type.Boolean({ default: false }) }, { additionalProperties: false }),
      credentialsOf: (o) => (o.keyed ? { style: 'api_key', send: { in: 'header', name: 'x-key' } } : undefined),
      create: noop,
    });
    expect(settingsOf(perSource as PluginDeclaration<never>, { keyed: true }).credentials).toEqual({ style: 'api_key', send: { in: 'header', name: 'x-key' } });
    expect(settingsOf(perSource as PluginDeclaration<never>, {}).credentials).toBeUndefined();
  });

  it("takes a plugin's max_data_age when the source sets none", () => {
    // open-meteo declares max_data_age: 1h
    expect(settingsOf(openMeteo as PluginDeclaration<never>, { latitude: 52.5, longitude: 13.4 }).maxDataAgeMs).toBe(3_600_000);
  });
});

describe('plugin option types', () => {
  it('follow from a TypeBox options schema', () => {
    expectTypeOf(refreshing).toEqualTypeOf<PluginDeclaration<{ region: string }>>();
    expectTypeOf(openMeteo).toEqualTypeOf<PluginDeclaration<{ latitude: number; longitude: number; forecast_hours: number }>>();
  });
});
