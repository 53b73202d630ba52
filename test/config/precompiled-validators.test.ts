// The bundle's validators are compiled when it is built (core/config/validators-source.ts, put in
// place of precompiled-validators.ts by core/cli/build.mjs). They must judge every config as the
// validators ajv compiles at run time do: same verdict, same errors, same defaults and coercions.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_PLUGINS } from '../../core/builtin-plugins.js';
import { ROOT } from '../../core/cli/build.mjs';
import { HostConfigSchema } from '../../core/config/host-schema.js';
import { compiledOptionsSchema } from '../../core/config/plugin-options.js';
import { createSchemaValidator } from '../../core/config/schema-validator.js';
import { validatorsSource } from '../../core/config/validators-source.js';

let dir: string;
let precompiled: { host: ValidateFunction; plugins: Record<string, ValidateFunction> };

beforeAll(async () => {
  // Bundled as build.mjs bundles it (its requires resolve from core/config), then loaded.
  mkdirSync(path.join(ROOT, '.build'), { recursive: true });
  dir = mkdtempSync(path.join(ROOT, '.build', 'test-validators-'));
  const outfile = path.join(dir, 'validators.cjs');
  await build({
    stdin: { contents: validatorsSource(), resolveDir: path.join(ROOT, 'core/config'), loader: 'js', sourcefile: 'precompiled-validators.ts' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    outfile,
    logLevel: 'silent',
  });
  precompiled = (createRequire(import.meta.url)(outfile) as { precompiled: typeof precompiled }).precompiled;
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What a validator makes of `data`: its verdict, its errors (as the config loader reads them) and the data after defaults and coercion. */
function judge(validate: ValidateFunction, data: unknown) {
  const copy = structuredClone(data);
  const ok = validate(copy);
  const errors = (validate.errors ?? []).map(({ instancePath, keyword, params, message }) => ({ instancePath, keyword, params, message }));
  return { ok, errors, data: copy };
}

/** Inputs for an options schema: nothing, an unknown key, and every property given a wrong type, a string and a number. */
function samples(schema: { properties?: Record<string, unknown> }): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [{}, { no_such_option: 1 }, { base_url: 'not a url' }, { base_url: 'http://127.0.0.1:9/x' }];
  for (const key of Object.keys(schema.properties ?? {})) out.push({ [key]: { wrong: true } }, { [key]: '12' }, { [key]: 12 }, { [key]: [] });
  return out;
}

describe('precompiled config validators', () => {
  it("judge every built-in plugin's options as run-time ajv does", () => {
    const ajv = createSchemaValidator(false, false);
    expect(Object.keys(precompiled.plugins).sort()).toEqual(BUILTIN_PLUGINS.map((p) => p.id).sort());
    for (const plugin of BUILTIN_PLUGINS) {
      const schema = compiledOptionsSchema(plugin) as { properties?: Record<string, unknown> };
      const runtime = ajv.compile(schema);
      for (const input of samples(schema)) {
        expect(judge(precompiled.plugins[plugin.id]!, input), `${plugin.id} ${JSON.stringify(input)}`).toEqual(judge(runtime, input));
      }
    }
  });

  it('judge the host config as run-time ajv does', () => {
    const runtime = createSchemaValidator(true).compile(HostConfigSchema);
    const inputs = [
      {},
      { server: { port: '8080', host: '127.0.0.1' }, sources: {} },
      { server: { port: 'abc' }, sources: { a: { plugin: 'airnow', interval: '5 minutes' } } },
      { storage: { influxdb: { url: 'influxdb:8086', version: 3 } }, sources: { 'Bad Id': { plugin: 'x' } } },
      { log: { level: 'loud' }, sources: { a: { plugin: 'ics', schedule: '* * * * *', enabled: 'yes' } } },
    ];
    for (const input of inputs) expect(judge(precompiled.host, input), JSON.stringify(input)).toEqual(judge(runtime, input));
  });
});
