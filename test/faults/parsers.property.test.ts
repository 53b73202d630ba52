import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BUILTIN_PLUGINS } from '../../core/builtin-plugins.js';
import { createTestSource } from '../../core/testkit/index.js';
import {
  brokenJsonText,
  jsonMutations,
  mutatedSample,
  mutateJson,
  mutateLines,
  mutateXml,
  randomBytesText,
  randomJson,
  randomSample,
  textMutations,
  type JsonMutation,
  type TextMutation,
} from './support/arbitraries.js';
import { assertRun, takeDataErrors } from './support/checks.js';
import { FETCH_SCENARIOS, type FetchScenario, type ScenarioFake, type Target } from './support/fetch-scenarios.js';
import { startTamperProxy, type TamperProxy, type UpstreamAnswer } from './support/tamper-proxy.js';
import { PARSER_CASES, type ParserCase } from './support/parser-cases.js';

// Property tests of every built-in plugin's parsers (issue 11): random bytes, random JSON and
// mutations of real answers never make a parser crash (TypeError, RangeError, an untyped Error),
// return a point with NaN or no field, or hang; what it cannot read is a DataError saying what and
// where. Runs are bounded (about 8 s for the file on an idle 2-core machine, 19 s under a load of
// 14); PROPERTY_RUNS_SCALE searches deeper. A failure prints the shrunk input as what was changed.

/** More runs for a deeper search on a developer's machine: PROPERTY_RUNS_SCALE=20 npx vitest run …. */
const SCALE = Number(process.env.PROPERTY_RUNS_SCALE ?? 1) || 1;
/** Runs per property of a parser called directly (each run is a fraction of a millisecond). */
const DIRECT_RUNS = Math.round(120 * SCALE);

/** The text inputs of a text parser: random bytes, almost-JSON, random JSON, and markup-looking junk. */
const randomText = fc.oneof(
  randomBytesText,
  brokenJsonText,
  randomJson.map((v) => JSON.stringify(v)),
  fc.array(fc.constantFrom('<', '>', '/', '?xml', 'Publication_MarketDocument', 'TimeSeries', 'Period', 'Point', 'BEGIN:', 'END:', 'VCALENDAR', 'VEVENT', ':', '\r\n', ' ', 'x'), { maxLength: 40 }).map((parts) => parts.join('')),
);

describe('every built-in plugin has its parsers under property test', () => {
  it('covers each plugin of core/builtin-plugins.ts', () => {
    const covered = new Set(PARSER_CASES.map((c) => c.plugin));
    expect(BUILTIN_PLUGINS.map((p) => p.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  it.each(PARSER_CASES.map((c) => [`${c.plugin}: ${c.parser}`, c] as const))('%s reads its real answers without an error', (_, c) => {
    takeDataErrors();
    for (const [name, valid] of Object.entries(c.valid)) c.parse(valid, `${c.plugin} ${c.parser} with ${name}`);
    expect(takeDataErrors()).toEqual([]);
  });
});

describe.each(PARSER_CASES.map((c) => [`${c.plugin}: ${c.parser}`, c] as const))('%s, called directly', (_, c) => {
  it('random input: points, or a DataError saying what and where', () => {
    const random = randomSample(c.random ?? (c.input === 'json' ? randomJson : randomText), `${c.plugin} ${c.parser} with`);
    fc.assert(
      fc.property(random, (input) => c.parse(input.value, input.story)),
      { numRuns: DIRECT_RUNS },
    );
  });

  it('mutated real answers: points, or a DataError saying what and where', () => {
    fc.assert(
      fc.property(mutatedSample(c.valid, c.input), (input) => c.parse(input.value, `${c.plugin} ${c.parser} with ${input.story}`)),
      { numRuns: DIRECT_RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Through `fetch`: the plugin asks its fake upstream through a loopback proxy that replaces the
// answer to one request. This covers what the direct calls cannot: the plugin's own reading of
// the body (JSON.parse, got's .json(), content types), its HTTP error mapping, and the runtime.

/** Runs per plugin through fetch (each run is one source and a few HTTP requests: 10 to 70 ms here). */
const FETCH_RUNS = Math.round(16 * SCALE);
/** Longer than this for one run is a hang (an untouched run takes a few tens of milliseconds). */
const RUN_LIMIT_MS = 4_000;

/** One run's replacement answer, told (for the counterexample) as what was done to which request. */
interface Replacement {
  target: Target;
  /** The body to answer instead of the upstream's, from its real answer. */
  body(answer: UpstreamAnswer): { status: number; body: string };
  /** What was done; filled in as the run goes, printed by fast-check. */
  story: string[];
}

function replacement(target: Target, story: string, body: Replacement['body']): Replacement {
  const r: Replacement = { target, body, story: [story] };
  return Object.assign(r, { [fc.toStringMethod]: () => `${target.name}: ${r.story.join('; ')}` });
}

const shown = (text: string) => JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);

/** Bodies that upstreams really send when things go wrong, and the JSON values that are not objects. */
const CLASSIC_BODIES = ['', 'null', 'true', '0', '-1', '""', '"OK"', '[]', '{}', '[null]', '[{}]', '{"data":null}', '{"errors":null}', '{"errors":[]}', '{"error":true}',
  '\uFEFF{}', '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>', '<?xml version="1.0"?><root/>', 'BEGIN:VCALENDAR\r\nEND:VCALENDAR'];

/** The replacements of each family of inputs, for a scenario's targets; mutations weigh double. */
const FAMILIES: [number, (targets: Target[]) => fc.Arbitrary<Replacement>][] = [
  [
    1,
    (targets) => fc.tuple(fc.constantFrom(...targets), fc.constantFrom(...CLASSIC_BODIES)).map(([t, text]) => replacement(t, `200 with ${shown(text)}`, () => ({ status: 200, body: text }))),
  ],
  [
    1,
    (targets) => fc.tuple(fc.constantFrom(...targets), randomBytesText).map(([t, text]) => replacement(t, `200 with random bytes ${shown(text)}`, () => ({ status: 200, body: text }))),
  ],
  [
    1,
    (targets) =>
      fc.tuple(fc.constantFrom(...targets), fc.oneof(randomJson.map((v) => JSON.stringify(v)), brokenJsonText)).map(([t, text]) =>
        replacement(t, `200 with ${shown(text)}`, () => ({ status: 200, body: text })),
      ),
  ],
  [
    2,
    (targets) =>
      fc.tuple(fc.constantFrom(...targets), jsonMutations, textMutations).map(([t, jm, tm]) => {
        const r = replacement(t, 'the real answer', (answer) => ({ status: answer.status, body: mutateAnswer(t, answer.body, jm, tm, r.story) }));
        return r;
      }),
  ],
];

function mutateAnswer(t: Target, body: string, jm: JsonMutation[], tm: TextMutation[], story: string[]): string {
  if (t.kind === 'xml') return mutateXml(body, tm, story);
  if (t.kind === 'ics') return mutateLines(body, tm, story);
  let valid: unknown;
  try {
    valid = JSON.parse(body);
  } catch {
    story.push('(not JSON: left as it was)');
    return body;
  }
  return JSON.stringify(mutateJson(valid, jm, story)) ?? '';
}

describe.each(FETCH_SCENARIOS.map((s) => [s.name, s] as const))('%s: fetch through a loopback proxy that replaces one answer', (_, scenario: FetchScenario) => {
  let fake: Awaited<ReturnType<FetchScenario['start']>> & ScenarioFake;
  let proxy: TamperProxy;
  beforeAll(async () => {
    // Only Date stands still (timers and sockets stay real): the recorded answers' day.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(scenario.now));
    fake = await scenario.start();
    proxy = await startTamperProxy(fake.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await fake?.close();
    vi.useRealTimers();
  });

  /** One source, one run, with `r` replacing its target's answer; checks the outcome. */
  async function runWith(r: Replacement | undefined): Promise<void> {
    const label = () => (r ? `${scenario.name}, ${r.target.name}: ${r.story.join('; ')}` : scenario.name);
    proxy.tampered = 0;
    proxy.tamper = r && ((req, answer) => (r.target.matches(req) ? { ...r.body(answer), headers: { 'content-type': answer.contentType } } : undefined));
    const { options, credentials } = fake.source(proxy.url);
    const src = await createTestSource({ plugin: scenario.plugin, options: { ...options, retries: 0, timeout: '10s' }, credentials });
    const started = performance.now();
    try {
      const outcome = await src.run();
      const ms = performance.now() - started;
      if (!r) {
        expect(outcome.error?.message).toBeUndefined();
        expect(outcome.points.length).toBeGreaterThan(0);
        return;
      }
      assertRun(outcome, label());
      if (ms > RUN_LIMIT_MS) throw new Error(`the run took ${Math.round(ms)} ms for ${label()}`);
      if (proxy.tampered === 0) throw new Error(`${r.target.name} was never requested, so nothing was replaced: ${label()}`);
    } finally {
      proxy.tamper = undefined;
      await src.stop();
    }
  }

  it('an untouched run succeeds (so the properties below test the parser, not the set-up)', async () => {
    await runWith(undefined);
  });

  it(`classic bodies, random bytes, random JSON or a mutated real answer to ${scenario.targets.map((t) => t.name).join(' or ')}: points, or a typed error with a clear message`, async () => {
    const replacements = fc.oneof(...FAMILIES.map(([weight, family]) => ({ weight, arbitrary: family(scenario.targets) })));
    await fc.assert(fc.asyncProperty(replacements, (r) => runWith(r)), { numRuns: FETCH_RUNS });
  });
});
