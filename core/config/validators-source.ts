// Build-time only (core/cli/build.mjs): the source of the module that replaces
// precompiled-validators.ts in the bundle.
import type { Ajv, ValidateFunction } from 'ajv';
import standaloneCodeModule from 'ajv/dist/standalone/index.js';
import { BUILTIN_PLUGINS } from '../builtin-plugins.js';
import { HostConfigSchema } from './host-schema.js';
import { compiledOptionsSchema } from './plugin-options.js';
import { createSchemaValidator } from './schema-validator.js';

// ajv's standalone module is CommonJS; under NodeNext its default import is the module object's type.
const standaloneCode = standaloneCodeModule as unknown as (ajv: Ajv, validate: ValidateFunction) => string;

/**
 * Module source exporting `precompiled` (see precompiled-validators.ts): the validators compiled
 * with the options `load.ts` and `plugin-options.ts` use at run time, as ajv's standalone code
 * (CommonJS, each in a function of its own). An ES module, as the .ts file it replaces (esbuild
 * would find no `precompiled` export in a CommonJS one).
 */
export function validatorsSource(): string {
  const hostAjv = createSchemaValidator(true, false, { standalone: true });
  const pluginAjv = createSchemaValidator(false, false, { standalone: true });
  const module = (ajv: Ajv, validate: ValidateFunction) => `load(function (module, exports) {\n${standaloneCode(ajv, validate)}\n})`;
  const plugins = BUILTIN_PLUGINS.map((plugin) => `${JSON.stringify(plugin.id)}: ${module(pluginAjv, pluginAjv.compile(compiledOptionsSchema(plugin)))}`);
  return [
    '"use strict";',
    'function load(define) { const module = { exports: {} }; define(module, module.exports); return module.exports; }',
    'export const precompiled = {',
    `  host: ${module(hostAjv, hostAjv.compile(HostConfigSchema))},`,
    `  plugins: {\n${plugins.join(',\n')}\n  },`,
    '};',
    '',
  ].join('\n');
}
