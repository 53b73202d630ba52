import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { compiledOptionsSchema, credentialFields, credentialsSpec } from '../config/plugin-options.js';
import { createSchemaValidator } from '../config/schema-validator.js';
import type { PluginDeclaration } from '../plugin-api/plugin.js';
import { createTestSource, type TestSource } from './test-source.js';
import { startTestUpstream, type TestUpstream, type UpstreamAnswer, type UpstreamRequest } from './test-upstream.js';

/** How to point a plugin at the test upstream and what that upstream answers besides the faults. */
export interface ConformanceSetup {
  /** The source's options; `base_url` is set to the test upstream unless these set it. */
  options?: Record<string, unknown> | ((upstreamUrl: string) => Record<string, unknown>);
  /** Credentials the plugin runs with; required when the plugin declares credentials. */
  credentials?: Record<string, string>;
  /**
   * Answers the plugin's own sign-in requests (a login, a token grant) in every check; return
   * `undefined` for the requests a check answers with its fault.
   */
  respond?(req: UpstreamRequest): UpstreamAnswer | undefined;
  /** A 200 answer the plugin cannot read; by default a JSON document cut short. */
  malformed?: UpstreamAnswer;
  /** A README whose first ```yaml block holds a sample config with a source of this plugin (`plugin: <id>`, or `readmeSource`). */
  readme?: string | URL;
  /** The sample's source to check, for a drop-in plugin named by path; default: every source whose `plugin` is the id. */
  readmeSource?: string;
}

/** One check of the plugin contract; `run` throws (an AssertionError) when the plugin fails it. */
export interface ConformanceCheck {
  name: string;
  run(): Promise<void>;
}

const RETRY_AFTER_S = 120;
/** How long an aborted run may take to end, past its timeout. */
const PROMPT_MS = 2000;

interface Trial {
  upstream: TestUpstream;
  src: TestSource;
}

/** Starts a test upstream answering `fault` (after `respond`) and a source of the plugin against it. */
async function trial(
  plugin: PluginDeclaration,
  setup: ConformanceSetup,
  fault: UpstreamAnswer | 'hang',
  over: { credentials?: Record<string, string>; options?: Record<string, unknown>; now?: () => number } = {},
): Promise<Trial> {
  const upstream = await startTestUpstream((req) => setup.respond?.(req) ?? fault);
  const own = typeof setup.options === 'function' ? setup.options(upstream.url) : setup.options;
  try {
    const src = await createTestSource({
      plugin,
      options: { base_url: upstream.url, ...own, retries: 0, ...over.options },
      credentials: over.credentials ?? setup.credentials,
      ...(over.now ? { now: over.now } : {}),
    });
    return { upstream, src };
  } catch (err) {
    await upstream.close();
    throw err;
  }
}

async function within(t: Trial, body: (t: Trial) => Promise<void>): Promise<void> {
  try {
    await body(t);
  } finally {
    await t.src.stop();
    await t.upstream.close();
  }
}

/** A check that one faulty answer to every data request ends the run with an error of `kind`. */
function faultCheck(plugin: PluginDeclaration, setup: ConformanceSetup, name: string, answer: UpstreamAnswer, kinds: string[], detail: string[]): ConformanceCheck {
  return {
    name,
    run: async () =>
      within(await trial(plugin, setup, answer), async ({ src }) => {
        const outcome = await src.run();
        assert.ok(outcome.error, `the run succeeded on ${answer.status}`);
        assert.ok(kinds.includes(String((outcome.error as { kind?: unknown }).kind)), `error kind ${String((outcome.error as { kind?: unknown }).kind)} (${outcome.error.message}), expected ${kinds.join(' or ')}`);
        assert.ok(detail.includes(src.health().status_detail), `status_detail ${src.health().status_detail}, expected ${detail.join(' or ')}`);
        assert.deepEqual(src.points, [], 'a failed run wrote points');
      }),
  };
}

function schemaCheck(plugin: PluginDeclaration): ConformanceCheck {
  return {
    name: 'its options schema is valid JSON Schema',
    run: async () => {
      const schema = compiledOptionsSchema(plugin);
      const ajv = createSchemaValidator(false, true);
      assert.ok(ajv.validateSchema(schema), `invalid options schema: ${ajv.errorsText(ajv.errors)}`);
      assert.equal(schema.type, 'object', 'the options schema is not of type object');
      ajv.compile(schema);
    },
  };
}

function standbyCheck(plugin: PluginDeclaration, setup: ConformanceSetup): ConformanceCheck {
  return {
    name: 'waits in standby without credentials and calls nothing',
    run: async () => {
      const empty = Object.fromEntries(credentialFields(plugin, optionsOf(setup)).map((f) => [f, '']));
      await within(await trial(plugin, setup, { status: 500 }, { credentials: empty }), async ({ upstream, src }) => {
        assert.equal(src.runnable, false, 'the source started without credentials');
        const h = src.health();
        assert.deepEqual([h.status, h.status_detail, h.credentials_configured], ['healthy', 'credentials_missing', false], 'standby is healthy, credentials_missing');
        assert.equal(upstream.requests.length, 0, 'the upstream was called without credentials');
      });
    },
  };
}

function retryAfterCheck(plugin: PluginDeclaration, setup: ConformanceSetup): ConformanceCheck {
  return {
    name: `429 with Retry-After: ${RETRY_AFTER_S} is rate_limited and waits that long`,
    run: async () => {
      const now = Math.floor(Date.now() / 1000) * 1000;
      const answer = { status: 429, body: { error: 'too many requests' }, headers: { 'retry-after': String(RETRY_AFTER_S) } };
      await within(await trial(plugin, setup, answer, { now: () => now }), async ({ src }) => {
        const outcome = await src.run();
        assert.equal((outcome.error as { kind?: unknown } | undefined)?.kind, 'rate_limit', `expected a rate_limit error, got ${outcome.error?.message ?? 'success'}`);
        const h = src.health();
        assert.equal(h.status_detail, 'rate_limited');
        const until = new Date(now + RETRY_AFTER_S * 1000).toISOString();
        assert.ok(h.hint?.includes(until), `the hint ${JSON.stringify(h.hint)} does not wait until ${until}`);
        assert.deepEqual(src.points, []);
      });
    },
  };
}

function signalCheck(plugin: PluginDeclaration, setup: ConformanceSetup): ConformanceCheck {
  return {
    name: "honours the run's signal: a run that times out ends promptly and drops its request",
    run: async () => {
      const timeoutMs = 300;
      await within(await trial(plugin, setup, 'hang', { options: { timeout: `${timeoutMs}ms` } }), async ({ upstream, src }) => {
        const started = Date.now();
        const outcome = await src.run();
        assert.ok(outcome.error, 'a run whose upstream never answered succeeded');
        const dropped = await Promise.race([upstream.abandonedOnce().then(() => true), new Promise<false>((r) => setTimeout(r, PROMPT_MS, false))]);
        assert.ok(dropped, `the plugin kept its request open ${PROMPT_MS} ms after the run was aborted`);
        assert.ok(Date.now() - started < timeoutMs + PROMPT_MS, 'the aborted run did not end promptly');
        assert.deepEqual(src.points, []);
      });
    },
  };
}

/** The setup's options as a source of it has them (for a plugin that chooses its credentials by them). */
function optionsOf(setup: ConformanceSetup): Record<string, unknown> {
  return (typeof setup.options === 'function' ? setup.options('http://127.0.0.1') : setup.options) ?? {};
}

type SampleSources = Record<string, { plugin?: string; options?: Record<string, unknown> }>;

function readmeCheck(plugin: PluginDeclaration, setup: ConformanceSetup, readme: string | URL): ConformanceCheck {
  return {
    name: 'its README holds a sample config that validates and starts',
    run: async () => {
      const yaml = /```yaml\n([\s\S]*?)```/.exec(readFileSync(readme, 'utf8'))?.[1];
      assert.ok(yaml, 'the README has no ```yaml block');
      // A sample's `${VAR:-default}` as a user without VAR gets it.
      const sources = Object.entries((parse(yaml.replace(/\$\{\w+:-([^}]*)\}/g, '$1')) as { sources?: SampleSources }).sources ?? {});
      const mine = sources.filter(([id, s]) => (setup.readmeSource ? id === setup.readmeSource : s.plugin === plugin.id));
      assert.ok(mine.length > 0, `the sample config has no source of ${setup.readmeSource ?? plugin.id}`);
      for (const [id, entry] of mine) {
        const sample = { ...setup, options: (url: string) => ({ ...entry.options, base_url: url }) };
        await within(await trial(plugin, sample, { status: 500 }), async ({ src }) => assert.equal(src.runnable, true, `the sample source ${id} does not start`));
      }
    },
  };
}

/**
 * The checks of the plugin contract, for any plugin (built-in or drop-in), each against a test
 * upstream on loopback: the options schema, standby without credentials, typed errors for 401,
 * 403, 429 (Retry-After honoured) and 5xx, a malformed payload as a data error with nothing
 * written, and the run's signal. Run each as a test: `for (const c of conformance(p, s)) it(c.name, c.run)`.
 */
export function conformance(plugin: PluginDeclaration, setup: ConformanceSetup = {}): ConformanceCheck[] {
  const spec = credentialsSpec(plugin, optionsOf(setup));
  const keyed = spec !== undefined;
  const checks = [schemaCheck(plugin)];
  if (keyed) {
    checks.push(standbyCheck(plugin, setup));
    // A token style meets refused credentials at its sign-in: a 401 after a fresh token is the upstream's fault.
    const signIn = spec?.style === 'api_key' ? setup : { ...setup, respond: undefined };
    checks.push(faultCheck(plugin, signIn, '401 is a credentials error', { status: 401, body: { error: 'unauthorized' } }, ['credentials'], ['credentials_invalid']));
  }
  // A 403 is a refused plan or region; for a keyed plugin the upstream may mean the key.
  const refused = keyed ? ['access', 'credentials'] : ['access'];
  checks.push(faultCheck(plugin, setup, '403 is an access error', { status: 403, body: { error: 'forbidden' } }, refused, ['access_denied', 'credentials_invalid']));
  checks.push(retryAfterCheck(plugin, setup));
  checks.push(faultCheck(plugin, setup, '503 is an upstream error', { status: 503, body: 'Service Unavailable' }, ['upstream'], ['degraded', 'error']));
  const malformed = setup.malformed ?? { status: 200, body: '{"data": [', headers: { 'content-type': 'application/json' } };
  checks.push(faultCheck(plugin, setup, 'a malformed payload is a data error and nothing is written', malformed, ['data'], ['degraded', 'error']));
  checks.push(signalCheck(plugin, setup));
  if (setup.readme) checks.push(readmeCheck(plugin, setup, setup.readme));
  return checks;
}

/** Runs every check; resolves with the failures (empty when the plugin conforms). */
export async function runConformance(plugin: PluginDeclaration, setup: ConformanceSetup = {}): Promise<{ name: string; error: Error }[]> {
  const failures: { name: string; error: Error }[] = [];
  for (const check of conformance(plugin, setup)) {
    await check.run().catch((error: Error) => failures.push({ name: check.name, error }));
  }
  return failures;
}
