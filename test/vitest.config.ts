import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/servers.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Two cores here: files run in parallel, but the servers are shared and started once.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
