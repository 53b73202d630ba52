import type { ValidateFunction } from 'ajv';
import type { CredentialsSpec, JsonSchema, PluginDeclaration } from '../plugin-api/plugin.js';
import { ajvProblems } from './ajv-problems.js';
import { Duration } from './host-schema.js';
import { createSchemaValidator } from './schema-validator.js';
import { SOURCE_DEFAULTS } from './source-settings.js';
import { missingFor, noteMissingVariables } from './substitution.js';
import type { ConfigProblem, Locate, SourceConfig } from './types.js';

/** JSON of a schema: TypeBox's symbol keys and anything else JSON cannot hold are dropped. */
function plain(schema: unknown): JsonSchema {
  return JSON.parse(JSON.stringify(schema)) as JsonSchema;
}

/** The options the host gives every source, whatever its plugin, with their defaults. */
function hostOptions(plugin: PluginDeclaration): Record<string, JsonSchema> {
  const props: Record<string, JsonSchema> = {
    error_after: { type: 'integer', minimum: 1, default: SOURCE_DEFAULTS.error_after, description: 'Consecutive failed runs before the source is in error.' },
    timeout: plain(Duration({ default: SOURCE_DEFAULTS.timeout, description: 'Time allowed for one run.' })),
    retries: { type: 'integer', minimum: 0, maximum: 10, default: SOURCE_DEFAULTS.retries, description: 'HTTP retries within one run.' },
    credentials_retry_after: plain(Duration({ default: SOURCE_DEFAULTS.credentials_retry_after, description: 'Wait before trying credentials the upstream refused again.' })),
    max_data_age: plain(Duration({ description: 'Age of the newest point after which the source is stale.' })),
    max_points_per_run: { type: 'integer', minimum: 1, default: SOURCE_DEFAULTS.max_points_per_run, description: 'Points of one run beyond this are dropped, counted and logged.' },
    max_latest_series: { type: 'integer', minimum: 1, default: SOURCE_DEFAULTS.max_latest_series, description: 'Series the latest-values API keeps at most.' },
  };
  if (plugin.max_data_age !== undefined) props.max_data_age!.default = plugin.max_data_age;
  if (plugin.base_url !== undefined) {
    props.base_url = { type: 'string', format: 'uri', default: plugin.base_url, description: 'Base URL of the upstream API.' };
  }
  const style = plugin.credentials?.style;
  // A plugin choosing credentials per source may use tokens: it takes refresh_before as well.
  if (style === 'login' || style === 'oauth2_refresh' || plugin.credentialsOf) {
    props.refresh_before = plain(Duration({ default: SOURCE_DEFAULTS.refresh_before, description: 'Renew the token this long before it expires.' }));
  }
  if (plugin.credentials?.style === 'oauth2_refresh') {
    props.token_url = { type: 'string', default: plugin.credentials.token_url, description: 'OAuth2 token endpoint (absolute, or relative to base_url).' };
  }
  return props;
}

const schemas = new WeakMap<PluginDeclaration, JsonSchema>();

/**
 * The JSON Schema of a source's `options` for `plugin`: the plugin's own schema extended with the
 * host options (error_after, timeout, retries, credentials_retry_after, max_data_age, and base_url
 * or refresh_before where they apply). The host's definitions win over a plugin's of the same name,
 * because the runtime reads them. Unknown keys are refused unless the plugin's schema says otherwise.
 */
export function optionsSchemaFor(plugin: PluginDeclaration): JsonSchema {
  let schema = schemas.get(plugin);
  if (!schema) {
    const own = plain(plugin.options ?? {});
    const ownProps = (own.properties ?? {}) as Record<string, JsonSchema>;
    // A key with a default is always there after validation (TypeBox lists it as required, so that
    // its Static type says so), but a config file may leave it out: an editor must not flag that.
    const required = Array.isArray(own.required) ? (own.required as string[]).filter((key) => ownProps[key]?.default === undefined) : undefined;
    schema = {
      ...own,
      type: 'object',
      properties: { ...ownProps, ...hostOptions(plugin) },
      additionalProperties: 'additionalProperties' in own ? own.additionalProperties : false,
    };
    if (required?.length) schema.required = required;
    else delete schema.required;
    schemas.set(plugin, schema);
  }
  return schema;
}

// One ajv for every plugin schema: compiling is the slow part, so each plugin's is compiled once.
// Each schema is first checked against the JSON Schema meta-schema: a plugin's schema is its own.
let ajv: ReturnType<typeof createSchemaValidator> | undefined;
const validators = new WeakMap<PluginDeclaration, ValidateFunction | Error>();

/** {@link optionsSchemaFor} as it is compiled: without its `$id`, which would clash when a reloaded drop-in plugin brings the same schema again. */
export function compiledOptionsSchema(plugin: PluginDeclaration): JsonSchema {
  const { $id: _id, ...schema } = optionsSchemaFor(plugin);
  return schema;
}

function validatorFor(plugin: PluginDeclaration): ValidateFunction | Error {
  let validator = validators.get(plugin);
  if (validator) return validator;
  try {
    validator = (ajv ??= createSchemaValidator(false)).compile(compiledOptionsSchema(plugin));
  } catch (err) {
    validator = err instanceof Error ? err : new Error(String(err));
  }
  validators.set(plugin, validator);
  return validator;
}

/**
 * Validates a source's options against its plugin's schema (see {@link optionsSchemaFor}).
 * Returns the options with defaults applied (a copy: the source is left as loaded) and the
 * problems, at `sources.<id>.options.<key>` with their lines.
 */
export function validateSourceOptions(
  plugin: PluginDeclaration,
  source: SourceConfig,
  locate: Locate,
  file: string,
): { options: Record<string, unknown>; problems: ConfigProblem[] } {
  const options = structuredClone(source.options ?? {});
  const validate = validatorFor(plugin);
  if (validate instanceof Error) {
    const at = ['sources', source.id, 'plugin'];
    const message = `plugin ${plugin.id} has an invalid options schema: ${validate.message}`;
    return { options, problems: [{ file, line: locate(at), path: at.join('.'), message }] };
  }
  if (validate(options)) return { options, problems: checkedOptions(plugin, options, source.id, locate, file) };
  const problems = ajvProblems(validate.errors, { file, locate, prefix: ['sources', source.id, 'options'] });
  return { options, problems: noteMissingVariables(problems, missingFor(source)) };
}

/** The plugin's own `checkOptions` problems, at `sources.<id>.options.<key>`; a hook that throws is one problem. */
function checkedOptions(plugin: PluginDeclaration, options: Record<string, unknown>, id: string, locate: Locate, file: string): ConfigProblem[] {
  if (!plugin.checkOptions) return [];
  let found;
  try {
    found = plugin.checkOptions(options);
  } catch (err) {
    found = [{ key: '', message: `plugin ${plugin.id} could not check them: ${(err as Error).message}` }];
  }
  return found.map(({ key, message }) => {
    const at = ['sources', id, 'options', ...(key ? key.split('.') : [])];
    return { file, line: locate(at), path: at.join('.'), message };
  });
}

/**
 * How a source signs in: its plugin's `credentialsOf(options)` where the plugin chooses per
 * source, else the plugin's `credentials`. The one place every reader of the style asks.
 */
export function credentialsSpec(plugin: PluginDeclaration, options: Record<string, unknown>): CredentialsSpec | undefined {
  return plugin.credentialsOf ? plugin.credentialsOf(options) : plugin.credentials;
}

const DEFAULT_FIELDS = {
  api_key: ['api_key'],
  login: ['username', 'password'],
  oauth2_refresh: ['client_id', 'client_secret', 'refresh_token'],
} as const;

/** The credential fields a source takes: its spec's `fields`, else the defaults of its style. */
export function credentialFields(plugin: PluginDeclaration, options: Record<string, unknown> = {}): string[] {
  const spec = credentialsSpec(plugin, options);
  if (!spec) return [];
  return spec.fields ? [...spec.fields] : [...DEFAULT_FIELDS[spec.style]];
}

/**
 * Catches typos under `credentials`: a key the plugin does not take, or a credentials block on a
 * plugin that takes none. Empty values are fine (the source waits in standby). Never names a value.
 */
export function validateCredentials(plugin: PluginDeclaration, source: SourceConfig, locate: Locate, file: string): ConfigProblem[] {
  const keys = Object.keys(source.credentials ?? {});
  if (keys.length === 0) return [];
  const base = ['sources', source.id, 'credentials'];
  const fields = credentialFields(plugin, source.options ?? {});
  if (!credentialsSpec(plugin, source.options ?? {})) {
    const why = plugin.credentialsOf ? 'this source takes no credentials (its options name no auth style)' : `plugin ${plugin.id} takes no credentials`;
    return [{ file, line: locate(base), path: base.join('.'), message: `${why} (remove this block)` }];
  }
  return keys
    .filter((key) => !fields.includes(key))
    .map((key) => {
      const at = [...base, key];
      const who = plugin.credentialsOf ? 'this source' : `plugin ${plugin.id}`;
      return { file, line: locate(at), path: at.join('.'), message: `unknown key (${who} takes: ${fields.join(', ')})` };
    });
}
