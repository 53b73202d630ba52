import { definePlugin } from '../../core/plugin-api/index.js';
import { HttpJsonSource } from './http-json-source.js';
import { compileMapping } from './mapping.js';
import { credentialsOf, HTTP_JSON_OPTIONS_SCHEMA } from './options.js';

/**
 * Any JSON API, configured in YAML: one request, and a mapping of its answer to points with
 * JMESPath selectors (compiled when the config loads). Credentials follow `options.auth`.
 */
export default definePlugin({
  id: 'http-json',
  apiVersion: 1,
  title: 'HTTP JSON',
  description: 'Any JSON API from the config file alone: a request, and a JMESPath mapping of its answer to points.',
  options: HTTP_JSON_OPTIONS_SCHEMA,
  base_url: 'http://localhost',
  default_schedule: '5m',
  credentialsOf,
  checkOptions: (options) => compileMapping(options).problems,
  create: ({ options }) => new HttpJsonSource(options),
});
