import { describe, expect, it } from 'vitest';
import { ConfigFileError } from '../../core/config/load.js';
import { credentialFields, optionsSchemaFor, validateCredentials, validateSourceOptions } from '../../core/config/plugin-options.js';
import { definePlugin, type PluginDeclaration } from '../../core/plugin-api/index.js';
import { load } from './config-files.js';

const noop = () => ({ fetch: async () => ({ points: [] }) }) as never;

const watt = definePlugin({
  id: 'watt',
  apiVersion: 1,
  title: 'Watt',
  credentials: { style: 'login' },
  base_url: 'https://api.example.test',
  max_data_age: '1h',
  options: {
    type: 'object',
    properties: {
      region: { type: 'string', minLength: 1 },
      signal: { type: 'string', enum: ['co2_moer', 'co2_aoer'], default: 'co2_moer' },
      horizon_hours: { type: 'integer', minimum: 1, maximum: 72, default: 24 },
    },
    required: ['region'],
  },
  create: noop,
});

const open = definePlugin({ id: 'open', apiVersion: 1, title: 'Open', create: noop });

async function sourceOf(text: string, env: NodeJS.ProcessEnv = {}) {
  const loaded = await load(text, env);
  const source = Object.values(loaded.config.sources)[0]!;
  return { loaded, source };
}

describe('plugin option validation', () => {
  it('applies the plugin defaults and the host options every source has', async () => {
    const { loaded, source } = await sourceOf('sources:\n  carbon:\n    plugin: watt\n    options:\n      region: CAISO_NORTH\n      horizon_hours: "12"\n');
    const { options, problems } = validateSourceOptions(watt, source, loaded.locate, loaded.config.file);
    expect(problems).toEqual([]);
    expect(options).toEqual({
      region: 'CAISO_NORTH',
      signal: 'co2_moer',
      horizon_hours: 12,
      error_after: 3,
      timeout: '60s',
      retries: 3,
      credentials_retry_after: '15m',
      max_data_age: '1h',
      max_points_per_run: 100_000,
      max_latest_series: 10_000,
      base_url: 'https://api.example.test',
      refresh_before: '5m',
    });
    expect(source.options).toEqual({ region: 'CAISO_NORTH', horizon_hours: '12' });
  });

  it('reports a typo at its line, with the path, and every other problem too', async () => {
    const text = 'sources:\n  carbon:\n    plugin: watt\n    options:\n      regoin: CAISO\n      retries: 11\n      timeout: forever\n      base_url: not a url\n';
    const { loaded, source } = await sourceOf(text);
    const { problems } = validateSourceOptions(watt, source, loaded.locate, loaded.config.file);
    const file = loaded.config.file;
    expect(new ConfigFileError(problems).message.split('\n')).toEqual([
      `${file}:4: sources.carbon.options.region: is required`,
      `${file}:5: sources.carbon.options.regoin: unknown key (did you mean region?)`,
      `${file}:6: sources.carbon.options.retries: must be between 0 and 10`,
      `${file}:7: sources.carbon.options.timeout: is not a duration like 30s, 5m or 1h`,
      `${file}:8: sources.carbon.options.base_url: is not a valid URL`,
    ]);
  });

  it('names the unset variable that left an option empty', async () => {
    const { loaded, source } = await sourceOf('sources:\n  carbon:\n    plugin: watt\n    options:\n      region: ${WATTTIME_REGION}\n');
    const { problems } = validateSourceOptions(watt, source, loaded.locate, loaded.config.file);
    expect(problems).toEqual([
      { file: loaded.config.file, line: 5, path: 'sources.carbon.options.region', message: 'is empty: environment variable WATTTIME_REGION is not set' },
    ]);
  });

  it('gives a plugin without options only the host options, and refuses anything else', async () => {
    const { loaded, source } = await sourceOf('sources:\n  o:\n    plugin: open\n    options:\n      error_after: 5\n      colour: red\n');
    const { options, problems } = validateSourceOptions(open, source, loaded.locate, loaded.config.file);
    expect(problems.map((p) => `${p.line} ${p.path}: ${p.message}`)).toEqual(['6 sources.o.options.colour: unknown key']);
    expect(options).toMatchObject({ error_after: 5, retries: 3 });
    expect(options).not.toHaveProperty('base_url');
    expect(options).not.toHaveProperty('refresh_before');
    expect(options).not.toHaveProperty('max_data_age');
  });

  it('lets a plugin schema allow extra keys, and reports a schema that does not compile', () => {
    const loose: PluginDeclaration = { ...open, id: 'loose', options: { type: 'object', additionalProperties: true } };
    const source = { id: 's', plugin: 'loose', enabled: true, credentials: {}, options: { anything: 1 } };
    expect(validateSourceOptions(loose, source, () => 3, 'f.yaml').problems).toEqual([]);
    const broken: PluginDeclaration = { ...open, id: 'broken', options: { type: 'object', properties: { a: { type: 'nonsense' } } } };
    const [problem] = validateSourceOptions(broken, source, () => 3, 'f.yaml').problems;
    expect(problem).toMatchObject({ line: 3, path: 'sources.s.plugin' });
    expect(problem!.message).toMatch(/^plugin broken has an invalid options schema: /);
  });

  it('exports the extended schema', () => {
    const schema = optionsSchemaFor(watt) as { properties: Record<string, { default?: unknown }>; required: string[]; additionalProperties: unknown };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['region', 'signal', 'error_after', 'timeout', 'retries', 'credentials_retry_after', 'max_data_age', 'base_url', 'refresh_before']),
    );
    expect(schema.properties.base_url!.default).toBe('https://api.example.test');
    expect(schema.required).toEqual(['region']);
    expect(schema.additionalProperties).toBe(false);
  });
});

describe('credentials', () => {
  it('lists the fields a plugin takes', () => {
    expect(credentialFields(watt)).toEqual(['username', 'password']);
    expect(credentialFields(open)).toEqual([]);
    expect(credentialFields({ ...open, credentials: { style: 'api_key', send: { in: 'query', name: 'k' } } })).toEqual(['api_key']);
    expect(credentialFields({ ...open, credentials: { style: 'oauth2_refresh', token_url: 'http://x' } })).toEqual(['client_id', 'client_secret', 'refresh_token']);
    expect(credentialFields({ ...open, credentials: { style: 'api_key', fields: ['token'], send: { in: 'header', name: 'X' } } })).toEqual(['token']);
  });

  it('refuses a credential the plugin does not take, without showing any value', async () => {
    const { loaded, source } = await sourceOf('sources:\n  carbon:\n    plugin: watt\n    credentials:\n      username: me\n      pasword: hunter2\n');
    const problems = validateCredentials(watt, source, loaded.locate, loaded.config.file);
    expect(problems).toEqual([
      { file: loaded.config.file, line: 6, path: 'sources.carbon.credentials.pasword', message: 'unknown key (plugin watt takes: username, password)' },
    ]);
  });

  it('refuses a credentials block on a plugin that takes none, and accepts empty values', async () => {
    const { loaded, source } = await sourceOf('sources:\n  o:\n    plugin: open\n    credentials:\n      api_key: x\n');
    expect(validateCredentials(open, source, loaded.locate, loaded.config.file)).toEqual([
      { file: loaded.config.file, line: 4, path: 'sources.o.credentials', message: 'plugin open takes no credentials (remove this block)' },
    ]);
    const standby = await sourceOf('sources:\n  carbon:\n    plugin: watt\n    credentials:\n      username: ${U}\n      password: ${P}\n');
    expect(validateCredentials(watt, standby.source, standby.loaded.locate, 'f')).toEqual([]);
  });
});
