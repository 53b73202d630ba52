import type { Static, TSchema } from '@sinclair/typebox';
import type { PluginCommand } from './command.js';
import type { CreateContext, DataSource } from './data-source.js';
import type { EntityDeclaration } from './entity.js';

/** The plugin API version this host implements. A plugin declaring another major is refused. */
export const PLUGIN_API_VERSION = 1;
/** Every plugin API version this host can load. */
export const SUPPORTED_API_VERSIONS: readonly number[] = [1];

/** A JSON Schema object (TypeBox schemas are JSON Schema too). */
export type JsonSchema = Record<string, unknown>;

/**
 * How a plugin authenticates; the host does the rest (header or query, token lifecycle, 401
 * re-login, OAuth refresh) so no plugin writes it again.
 */
export type CredentialsSpec =
  | {
      /** A static key sent with every request. Fields default to `["api_key"]`. */
      style: 'api_key';
      fields?: string[];
      /** Where the key goes: a query parameter or a header (with an optional prefix like `Bearer `). */
      send: { in: 'query' | 'header'; name: string; prefix?: string };
      /** Environment variable names to show a user in standby, e.g. `{ api_key: 'AIRNOW_API_KEY' }`. */
      env?: Record<string, string>;
    }
  | {
      /** Username and password exchanged for a bearer token by the plugin's `login` hook. */
      style: 'login';
      fields?: string[];
      /** Lifetime assumed when neither the grant nor a JWT `exp` says, e.g. `30m`. */
      default_lifetime?: string;
      env?: Record<string, string>;
    }
  | {
      /**
       * OAuth2: `client_id`, `client_secret` and `refresh_token` exchanged at `token_url` for an
       * access token (RFC 6749 §6). `invalid_grant` means re-consent is needed.
       */
      style: 'oauth2_refresh';
      fields?: string[];
      token_url: string;
      default_lifetime?: string;
      env?: Record<string, string>;
    };

/** A problem of a source's options found by a plugin's `checkOptions`; `key` is dotted, under `options`. */
export interface OptionProblem {
  key: string;
  message: string;
}

/** The declaration a plugin's module exports by default. */
export interface PluginDeclaration<O = Record<string, unknown>> {
  /** Unique id, `[a-z0-9][a-z0-9_-]*`, named by `plugin:` in the config. */
  id: string;
  /** The plugin API version the plugin was written for ({@link PLUGIN_API_VERSION}). */
  apiVersion: number;
  /** A human title, used in messages ("WattTime answered 503 …"). */
  title: string;
  description?: string;
  /** Omit for a key-free upstream. */
  credentials?: CredentialsSpec;
  /**
   * For a plugin whose sources each say how they sign in (the generic `http-json`): the
   * credentials of one source, from its options as the config gives them; it takes the place of
   * `credentials`. Undefined: that source takes none.
   */
  credentialsOf?(options: O): CredentialsSpec | undefined;
  /**
   * Checks of the options a JSON Schema cannot express (an expression that must compile), run
   * when the config loads, after the schema: each problem names its key under `options`
   * (`mapping.time`), and the config is refused (exit 2) as for a schema violation.
   */
  checkOptions?(options: O): OptionProblem[];
  /** JSON Schema of `options` (type object), with `default`s; unknown keys are refused. */
  options?: JsonSchema;
  /** For HTTP plugins: the default `base_url`; the host adds the `base_url` option. */
  base_url?: string;
  /** Schedule used when the source gives none: a cron expression or an interval like `5m`. */
  default_schedule?: string;
  /**
   * How old the newest point may be before the source is `stale`, e.g. `1h`. Omit when the
   * upstream has no cadence (a calendar).
   */
  max_data_age?: string;
  /**
   * The measurements the plugin writes, e.g. `['carbon_intensity']`. The planner refuses a signal
   * source whose plugin declares a list without the measurement it needs. Omit when what is
   * written depends on the options.
   */
  writes?: string[];

  /**
   * The values Home Assistant shows as entities when the host publishes over MQTT (optional; without
   * it every numeric field of the newest points becomes a sensor). Checked when the plugin loads.
   */
  entities?: EntityDeclaration[];
  /** CLI commands the plugin adds (`npx homeiq <name>`), such as one that creates an account. */
  commands?: PluginCommand[];
  /** Makes the source's `DataSource`; called once per (re)start. Throwing puts only this source in error. */
  create(ctx: CreateContext<O>): DataSource<O>;
}

/**
 * Declares a plugin. It only checks the shape at type level and returns the declaration; the
 * host validates it again when loading, so a plain object works as well in JavaScript.
 * With a TypeBox `options` schema, the options type is the schema's (`Static<>`, defaults
 * applied), not written a second time.
 */
export function definePlugin<S extends TSchema>(declaration: PluginDeclaration<Static<S>> & { options: S }): PluginDeclaration<Static<S>>;
export function definePlugin<O = Record<string, unknown>>(declaration: PluginDeclaration<O>): PluginDeclaration<O>;
export function definePlugin<O>(declaration: PluginDeclaration<O>): PluginDeclaration<O> {
  return declaration;
}
