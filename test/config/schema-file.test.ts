import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILTIN_PLUGINS } from '../../core/builtin-plugins.js';
import { DURATION_PATTERN } from '../../core/config/host-schema.js';
import { configJsonSchema, schemaFileText } from '../../core/config/json-schema.js';
import { optionsSchemaFor } from '../../core/config/plugin-options.js';
import { createSchemaValidator } from '../../core/config/schema-validator.js';
import { parseSize, SIZE_PATTERN } from '../../core/config/size.js';
import { definePlugin } from '../../core/plugin-api/index.js';
import { parseDuration } from '../../core/plugin-api/duration.js';

const SCHEMA_FILE = fileURLToPath(new URL('../../config/sources.schema.json', import.meta.url));

const air = definePlugin({
  id: 'air',
  apiVersion: 1,
  title: 'Air',
  credentials: { style: 'api_key', send: { in: 'query', name: 'API_KEY' } },
  base_url: 'https://air.example.test',
  options: { type: 'object', properties: { zip: { type: 'string' } }, required: ['zip'] },
  create: () => ({ fetch: async () => ({ points: [] }) }) as never,
});

describe('config/sources.schema.json', () => {
  it('is what the code generates from the built-in plugins', () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    expect(committed === schemaFileText(BUILTIN_PLUGINS), 'config/sources.schema.json is out of date: run npx tsx core/config/write-schema.ts').toBe(true);
  });

  it("holds only valid JSON Schemas for the built-in plugins' options (the host skips that check at start)", () => {
    const checker = createSchemaValidator(false);
    for (const plugin of BUILTIN_PLUGINS) {
      expect(checker.validateSchema(optionsSchemaFor(plugin)), `${plugin.id}: ${checker.errorsText(checker.errors)}`).toBe(true);
    }
    expect(checker.validateSchema({ type: 'object', properties: { zip: { type: 'strin' } } })).toBe(false);
  });

  it('checks a source naming a known plugin against that plugin\'s options and credentials', () => {
    const validate = createSchemaValidator(false).compile(configJsonSchema([air]));
    const good = { sources: { a: { plugin: 'air', interval: '5m', credentials: { api_key: 'k' }, options: { zip: '10001' } } } };
    expect(validate(good), JSON.stringify(validate.errors)).toBe(true);
    const bad = { sources: { a: { plugin: 'air', schedule: '* * * * *', interval: '5m', credentials: { apikey: 'k' }, options: { zpi: '1' } } } };
    expect(validate(bad)).toBe(false);
    const where = validate.errors!.map((e) => `${e.instancePath} ${e.keyword}`);
    expect(where).toEqual(
      expect.arrayContaining(['/sources/a/options required', '/sources/a/options additionalProperties', '/sources/a/credentials additionalProperties', '/sources/a not']),
    );
    expect(validate({ sources: { 'Bad Id': { plugin: 'x' } } })).toBe(false);
    expect(validate({ sources: { other: { plugin: './mine.js', options: { anything: 1 } } } })).toBe(true);
  });
});

describe('patterns shared by the schema and the loader', () => {
  it('DURATION_PATTERN accepts exactly what parseDuration parses', () => {
    const re = new RegExp(DURATION_PATTERN);
    const piece = fc.tuple(fc.nat(999), fc.constantFrom('ms', 's', 'm', 'h', 'd', '', 'x', '.5s'));
    fc.assert(
      fc.property(fc.array(piece, { minLength: 0, maxLength: 4 }), (pieces) => {
        const text = pieces.map(([n, u]) => `${n}${u}`).join('');
        expect(re.test(text)).toBe(parseDuration(text) !== undefined);
      }),
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(re.test(text)).toBe(parseDuration(text) !== undefined);
      }),
    );
  });

  it('SIZE_PATTERN accepts exactly the strings parseSize parses', () => {
    const re = new RegExp(SIZE_PATTERN);
    const unit = fc.constantFrom('', 'B', 'kb', 'KB', 'KiB', 'kib', 'MB', 'MiB', 'GiB', 'G', 'T', 'TB', 'Ki', 'XB', 'bytes');
    fc.assert(
      fc.property(fc.nat(10_000), unit, fc.constantFrom('', ' '), (n, u, sp) => {
        const text = `${n}${sp}${u}`;
        expect(re.test(text)).toBe(parseSize(text) !== undefined);
      }),
    );
    expect(parseSize('1GiB')).toBe(1024 ** 3);
    expect(parseSize('500MB')).toBe(500_000_000);
  });
});
