#!/usr/bin/env node
// The `homeiq` command: runs the built program, dist/homeiq.mjs, as `npm start` does. `npm install`
// builds it (npm's `prepare`); after a change to the sources, `npm run build` builds it again.
import { pathToFileURL } from 'node:url';
import { BUNDLE, isStale } from './build.mjs';

if (isStale()) {
  process.stderr.write(`homeiq: ${BUNDLE} is missing or older than the sources; build it with \`npm run build\`\n`);
  process.exit(1);
}
await import(pathToFileURL(BUNDLE).href);
