/**
 * The plugin test kit: runs a plugin's DataSource through the real runtime (credentials, token
 * lifecycle, 401 re-login, retries, error mapping, status) against a fake upstream, with no
 * storage. Plugin authors use it the way our own plugin tests do:
 *
 *   const src = await createTestSource({ plugin, options: { base_url: fake.url }, credentials });
 *   const outcome = await src.run();
 *   expect(src.health().status_detail).toBe('operational');
 */
export { createTestSource } from './test-source.js';
export type { TestSource, TestSourceOptions } from './test-source.js';
export { LogCapture } from './log-capture.js';
export { conformance, runConformance } from './conformance.js';
export type { ConformanceCheck, ConformanceSetup } from './conformance.js';
export { startTestUpstream } from './test-upstream.js';
export type { TestUpstream, UpstreamAnswer, UpstreamHandler, UpstreamRequest } from './test-upstream.js';
