// What `npm start` and `homeiq` run, built into dist/homeiq.mjs (core/cli/build.mjs).
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2));
