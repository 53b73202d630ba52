import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SourcePoint } from '../../core/plugin-api/index.js';
import { pointToLine } from '../../core/storage/line-protocol.js';
import type { TestSource } from '../../core/testkit/index.js';

/**
 * One recorded upstream answer: `bodyText` is sent as is, `body` as JSON, `bodyFile` is a file
 * beside the case sent as is (an XML, ICS or HTML body stays readable); `path`: only for requests of that path.
 */
export interface GoldenAnswer {
  status: number;
  body?: unknown;
  bodyText?: string;
  bodyFile?: string;
  headers?: Record<string, string>;
  path?: string;
}

/**
 * What a case expects of the source after one run: `points` as JSON (ISO times), or `lines`, the
 * line protocol they are written as (sorted); at least one of the two.
 */
export interface GoldenExpect {
  /** `healthy`, `degraded` or `error`, when the case says it. */
  status?: string;
  status_detail: string;
  error?: string;
  /** The typed error's kind (`credentials`, `access`, `rate_limit`, `upstream`, `data`, …). */
  kind?: string;
  http_status?: number;
  /** Text the hint holds (a rate limit's `Waiting until …`). */
  hint?: string;
  warnings?: string[];
  item_errors?: { item: string; message: string }[];
  /** What `latest()` answers after the run (a calendar's current and next event), as JSON. */
  latest?: unknown;
  points?: unknown[];
  lines?: string[];
}

/** A golden case, one JSON file of a plugin's `golden/` folder: recorded answers in, points out. */
export interface GoldenCase<U = GoldenAnswer | GoldenAnswer[]> {
  description: string;
  /** The instant the run happens at. */
  now: string;
  options?: Record<string, unknown>;
  /** The answer, or a sequence of answers served in order. */
  upstream: U;
  expect: GoldenExpect;
}

/** The body of a recorded answer as a fake sends it. */
export function answerBody(answer: GoldenAnswer): string {
  return answer.bodyText ?? JSON.stringify(answer.body);
}

/** A fake that answers the next requests with a recorded answer. */
interface FailingFake {
  failNext(count: number, status: number, options: { body?: unknown; headers?: Record<string, string>; path?: string }): void;
}

/** Queues a case's recorded answers in order (each for any request, or for its `path`). */
export function answerInOrder(fake: FailingFake, golden: GoldenCase<GoldenAnswer | GoldenAnswer[]>): void {
  for (const u of [golden.upstream].flat()) fake.failNext(1, u.status, { body: answerBody(u), headers: u.headers, ...(u.path ? { path: u.path } : {}) });
}

export interface GoldenSuite<C extends GoldenCase<unknown>, F> {
  /** The folder of the cases; every `.json` file in it is one. */
  dir: URL;
  /** A fake and a source for the case, with the case's options and clock. */
  make(golden: C): Promise<{ fake: F; src: TestSource }>;
  /** Queues the case's recorded answers on the fake; by default in order ({@link answerInOrder}). */
  answer?(fake: F, golden: C): void;
  /** The points as compared, both the source's and the expected ones; JSON by default. */
  plain?(points: unknown[]): unknown;
  /** `contained`: the run fails and its message holds the expected error. Default: the message equals it. */
  error?: 'equal' | 'contained';
  /** Further checks after every case (no secret in the logs, say). */
  check?(src: TestSource, golden: C): void;
  /** Standard cases this upstream cannot give, with the reason (a keyless upstream has no 401). */
  notApplicable?: Partial<Record<StandardCase, string>>;
}

/** The cases every plugin's golden folder holds (STYLE.md), where the upstream can give them. */
export const STANDARD_CASES = ['normal', 'empty', '401', '403', '429 with Retry-After', '5xx', 'malformed payload'] as const;
export type StandardCase = (typeof STANDARD_CASES)[number];

/** Which standard cases one golden case is. */
function standardOf(file: string, golden: GoldenCase<unknown>): StandardCase[] {
  const answers = [golden.upstream].flat() as GoldenAnswer[];
  const has = (test: (a: GoldenAnswer) => boolean) => answers.some((a) => a && typeof a.status === 'number' && test(a));
  const retryAfter = (a: GoldenAnswer) => Object.keys(a.headers ?? {}).some((h) => h.toLowerCase() === 'retry-after');
  const found: [StandardCase, boolean][] = [
    ['normal', !golden.expect.error && (golden.expect.points ?? golden.expect.lines ?? []).length > 0],
    ['empty', file.startsWith('empty')],
    ['401', has((a) => a.status === 401)],
    ['403', has((a) => a.status === 403)],
    ['429 with Retry-After', has((a) => a.status === 429 && retryAfter(a))],
    ['5xx', has((a) => a.status >= 500)],
    ['malformed payload', golden.expect.kind === 'data' || file.startsWith('malformed')],
  ];
  return found.filter(([, yes]) => yes).map(([name]) => name);
}

/** The case with every `bodyFile` read into `bodyText`, so fakes and `answer` hooks see one shape. */
function withBodyFiles<C extends GoldenCase<unknown>>(golden: C, dir: URL): C {
  for (const a of [golden.upstream].flat() as GoldenAnswer[]) {
    if (a?.bodyFile) a.bodyText = readFileSync(new URL(a.bodyFile, dir), 'utf8');
  }
  return golden;
}

const asJson = (points: unknown[]): unknown => JSON.parse(JSON.stringify(points));
const asLines = (points: readonly SourcePoint[]): string[] => points.map((p) => pointToLine(p)).sort();

/**
 * One test per golden case of a plugin: the recorded answers are served, the source runs once,
 * and its state, error, HTTP status, warnings, item errors and points are what the case says.
 */
export function describeGoldenCases<C extends GoldenCase<unknown>, F>(name: string, suite: GoldenSuite<C, F>): void {
  describe(`${name} golden cases: recorded answers in, points out`, () => {
    const files = readdirSync(suite.dir).filter((f) => f.endsWith('.json'));
    const read = (file: string) => withBodyFiles(JSON.parse(readFileSync(new URL(file, suite.dir), 'utf8')) as C, suite.dir);
    it('covers the standard cases', () => {
      const covered = new Set(files.flatMap((f) => standardOf(f, read(f))));
      const missing = STANDARD_CASES.filter((c) => !covered.has(c) && !suite.notApplicable?.[c]);
      expect(missing, `${name}: no golden case for`).toEqual([]);
    });
    it.each(files)('%s', async (file) => {
      const golden = read(file);
      const { fake, src } = await suite.make(golden);
      if (suite.answer) suite.answer(fake, golden);
      else answerInOrder(fake as FailingFake, golden as GoldenCase);
      const outcome = await src.run();
      const health = src.health();
      const want = golden.expect;
      const plain = suite.plain ?? asJson;
      expect(health.status_detail).toBe(want.status_detail);
      if (want.status) expect(health.status).toBe(want.status);
      if (want.lines) expect(asLines(src.points)).toEqual(want.lines);
      if (want.points || !want.lines) expect(plain(src.points)).toEqual(plain(want.points ?? []));
      if (want.error && suite.error === 'contained') {
        expect(outcome.ok).toBe(false);
        expect(health.last_error?.message).toContain(want.error);
      } else if (want.error) {
        expect(health.last_error?.message).toBe(want.error);
      } else {
        expect(outcome.error?.message).toBeUndefined();
      }
      if (want.kind) expect((outcome.error as { kind?: string } | undefined)?.kind).toBe(want.kind);
      if (want.http_status) expect(health.last_error?.http_status).toBe(want.http_status);
      if (want.hint) expect(health.hint).toContain(want.hint);
      if (want.warnings) expect(health.warnings).toEqual(want.warnings);
      if (want.item_errors) expect(health.item_errors).toEqual(want.item_errors);
      suite.check?.(src, golden);
      if (want.latest !== undefined) expect(asJson([src.latest()])).toEqual([want.latest]);
    });
  });
}
