import { afterEach, describe, expect, it } from 'vitest';
import type { PluginDeclaration, SourcePoint } from '../../core/plugin-api/index.js';
import { createTestSource, type TestSource } from '../../core/testkit/index.js';

/** A fake upstream as the lifecycle suite needs it. */
export interface LifecycleFake {
  url: string;
  /** Requests the fake has received so far. */
  requestCount(): number;
  close(): Promise<void>;
  /** Token styles only: makes every issued token invalid (the next request gets a 401). */
  revokeTokens?(): void;
  /** Token styles only: how many logins (token grants) the fake has answered. */
  loginCount?(): number;
}

export interface LifecycleSetup {
  plugin: PluginDeclaration;
  startFake(): Promise<LifecycleFake>;
  /** Options besides base_url (which is set to the fake's url). */
  options?: Record<string, unknown>;
  /** Credentials the fake accepts; omit for a key-free plugin. */
  credentials?: Record<string, string>;
  /** Credentials the fake refuses. */
  badCredentials?: Record<string, string>;
  /** Extra checks of the points of a good run. */
  checkPoints?(points: SourcePoint[]): void;
  /** When the base_url option should point elsewhere than the fake's root (e.g. `${url}/api`). */
  baseUrl?(fakeUrl: string): string;
}

/**
 * The shared lifecycle tests every built-in plugin passes against its faithful fake: a good run
 * with points, refused credentials, and for token styles a revoked token that costs one re-login
 * and no failure. (Standby, typed errors and the run's signal: test/testkit/builtin-conformance.test.ts.)
 */
export function describeLifecycle(name: string, setup: LifecycleSetup): void {
  describe(`${name}: shared lifecycle`, () => {
    let fake: LifecycleFake | undefined;
    let src: TestSource | undefined;
    afterEach(async () => {
      await src?.stop();
      await fake?.close();
      src = undefined;
      fake = undefined;
    });
    const make = async (credentials: Record<string, string> | undefined) => {
      fake = await setup.startFake();
      src = await createTestSource({
        plugin: setup.plugin,
        id: 'lifecycle',
        options: { ...setup.options, base_url: setup.baseUrl ? setup.baseUrl(fake.url) : fake.url, retries: 0 },
        credentials,
      });
      return { fake, src };
    };

    it('produces points on a good run and is operational', async () => {
      const { src } = await make(setup.credentials);
      const outcome = await src.run();
      expect(outcome.error?.message).toBeUndefined();
      expect(src.points.length).toBeGreaterThan(0);
      for (const p of src.points) expect(p.tags.source).toBe('lifecycle');
      expect(['operational', 'stale']).toContain(src.health().status_detail);
      setup.checkPoints?.(src.points);
    });

    if (setup.badCredentials) {
      it('reports refused credentials as credentials_invalid without leaking them', async () => {
        const { src } = await make(setup.badCredentials);
        await src.run();
        expect(src.health()).toMatchObject({ status: 'error', status_detail: 'credentials_invalid' });
        for (const v of Object.values(setup.badCredentials!)) {
          if (v.length >= 4) {
            expect(src.logs()).not.toContain(v);
            expect(JSON.stringify(src.health())).not.toContain(v);
          }
        }
      });
    }

    if (setup.credentials && setup.plugin.credentials && setup.plugin.credentials.style !== 'api_key') {
      it('recovers from a revoked token with one re-login and no failure', async () => {
        const { fake, src } = await make(setup.credentials);
        expect((await src.run()).ok).toBe(true);
        const logins = fake.loginCount?.() ?? 0;
        fake.revokeTokens?.();
        const outcome = await src.run();
        expect(outcome.error?.message).toBeUndefined();
        expect(fake.loginCount?.()).toBe(logins + 1);
        expect(src.health()).toMatchObject({ consecutive_failures: 0, token_refresh_count: 2 });
      });
    }
  });
}
