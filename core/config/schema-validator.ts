import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { DURATION_FORMAT, URI_FORMAT } from './formats.js';

export { isAbsoluteUri } from './formats.js';

// ajv-formats is CommonJS; under NodeNext its default import is the module object's type.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * An ajv set up for config files: every error (not just the first), defaults filled in, and
 * scalars coerced to the type the schema asks for, because `${VAR}` always yields a string
 * (`port: ${PORT}`) and YAML reads `zip: 02134` as a number.
 *
 * `strict` is on for the host's own schema; plugin schemas are third-party and may carry
 * keywords ajv does not know (`x-…`, `examples`), which strict mode would refuse.
 */
export function createSchemaValidator(strict: boolean, checkSchemas = !strict): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    useDefaults: true,
    coerceTypes: true,
    allowUnionTypes: true,
    strict,
    // Compiling is most of the start-up's schema cost and each validator runs once per config
    // load: ajv's optimising pass is skipped. The host's own schema is not checked against the
    // meta-schema at every start (strict mode still refuses unknown keywords; a test compiles it).
    code: { optimize: false },
    validateSchema: checkSchemas,
  });
  addFormats(ajv);
  // ajv-formats checks `uri` with one very long regular expression, which V8 compiles on its first
  // use: ≈ 15 ms of every start (base_url of every source). WHATWG's URL parser, already loaded,
  // answers the same question (an absolute URI with a scheme) at once.
  ajv.addFormat('uri', URI_FORMAT);
  ajv.addFormat('homeiq-duration', DURATION_FORMAT);
  return ajv;
}
