import { ConfigError } from '../plugin-api/errors.js';
import type { ConfigProblem } from './types.js';

/** One problem as a line: `FILE:LINE: key.path: what was expected` (no `:LINE` when unknown). */
export function formatProblem(p: ConfigProblem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}`;
  return p.path ? `${where}: ${p.path}: ${p.message}` : `${where}: ${p.message}`;
}

/**
 * A config file that cannot be used, with every problem found in it (not only the first). The
 * message holds one line per problem, ordered by line; no message ever carries a secret value.
 */
export class ConfigFileError extends ConfigError {
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[], options?: { cause?: unknown }) {
    const sorted = sortProblems(problems);
    super(sorted.map(formatProblem).join('\n'), options);
    this.problems = sorted;
  }
}

/** Stable sort by file then line; problems without a line (environment, whole file) come last. */
function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  const rank = (p: ConfigProblem) => p.line ?? Number.MAX_SAFE_INTEGER;
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (a.p.file === b.p.file ? rank(a.p) - rank(b.p) : 0) || a.i - b.i)
    .map(({ p }) => p);
}
