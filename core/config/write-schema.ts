/**
 * Writes config/sources.schema.json from the built-in plugins: `npx tsx core/config/write-schema.ts`.
 * Run it after changing a built-in plugin's options; a test fails while the file is out of step.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BUILTIN_PLUGINS } from '../builtin-plugins.js';
import { schemaFileText } from './json-schema.js';

const target = fileURLToPath(new URL('../../config/sources.schema.json', import.meta.url));
writeFileSync(target, schemaFileText(BUILTIN_PLUGINS));
process.stdout.write(`wrote ${target} (${BUILTIN_PLUGINS.length} built-in plugins)\n`);
