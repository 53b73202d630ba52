#!/usr/bin/env node
// The `homeiq` command. TypeScript runs through tsx (no build step); the project's tsconfig is
// named explicitly so decorators compile the same from any working directory.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../../tsconfig.json', import.meta.url)) });
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2));
