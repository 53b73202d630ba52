import { describe, expect, it } from 'vitest';
import type { PluginDeclaration } from '../../core/plugin-api/index.js';
import { runConformance } from '../../core/testkit/index.js';
import { importExamplePlugin } from '../support/readme-plugin.js';

/** Every answer is "fine": errors are swallowed, so no run ever fails. */
const swallowing: PluginDeclaration = {
  id: 'swallowing',
  apiVersion: 1,
  title: 'Swallowing',
  base_url: 'http://127.0.0.1:9',
  credentials: { style: 'api_key', send: { in: 'header', name: 'X-API-Key' } },
  create: () => ({ fetch: async (ctx) => (await ctx.http.get('reading', { throwHttpErrors: false }), []) }),
};

describe('runConformance, without a test framework', () => {
  it("passes the README's example plugin", async () => {
    expect(await runConformance(await importExamplePlugin(), { credentials: { api_key: 'test-key-1234' } })).toEqual([]);
  });

  it('names each check a plugin that hides its upstream errors fails, and why', async () => {
    const failures = await runConformance(swallowing, { credentials: { api_key: 'test-key-1234' } });
    expect(failures.map((f) => f.name)).toEqual([
      '401 is a credentials error',
      '403 is an access error',
      '429 with Retry-After: 120 is rate_limited and waits that long',
      '503 is an upstream error',
      'a malformed payload is a data error and nothing is written',
    ]);
    expect(failures[0]!.error.message).toBe('the run succeeded on 401');
  });
});
