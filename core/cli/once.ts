import { toLineProtocol } from '../storage/line-protocol.js';
import type { SourcePoint } from '../plugin-api/point.js';
import type { CliIo } from './cli.js';
import { runEachOnce } from './offline-run.js';

/**
 * `homeiq once`: fetches every enabled source once and prints its points as line protocol on
 * stdout; writes nothing. What did not run, and why, goes to stderr. Exit 1 when a source failed.
 */
export async function onceCommand(configFile: string, io: CliIo): Promise<number> {
  const { results } = await runEachOnce(configFile, io);
  let failures = 0;
  for (const { prepared, runner, outcome } of results) {
    const id = prepared.source.id;
    if (!outcome) {
      const h = runner.health();
      // A plugin that failed to load gives the same text as hint and as last error: say it once.
      const reasons = [...new Set([h.status_detail, h.hint, h.last_error?.message].filter((r) => r))];
      io.err(`# ${id}: not run (${reasons.join(': ')})\n`);
      if (h.status === 'error') failures += 1;
      continue;
    }
    if (!outcome.ok) {
      failures += 1;
      io.err(`# ${id}: failed: ${runner.health().last_error?.message ?? outcome.error?.message}\n`);
      continue;
    }
    io.err(`# ${id}: ${outcome.points.length} point(s)${timeRange(outcome.points)}\n`);
    // Parts of the run left out (a skipped record, a failed region): what a user trying a mapping must see.
    for (const e of runner.health().item_errors) io.err(`# ${id}: skipped ${e.item}: ${e.message}\n`);
    if (outcome.points.length > 0) io.out(`${toLineProtocol(outcome.points)}\n`);
  }
  return failures > 0 ? 1 : 0;
}

/** `, 2026-12-05T17:30:00.000Z … 2026-12-05T18:00:00.000Z`: line protocol's nanoseconds are not for reading. */
function timeRange(points: readonly SourcePoint[]): string {
  if (points.length === 0) return '';
  let [min, max] = [Infinity, -Infinity];
  for (const p of points) [min, max] = [Math.min(min, p.time.getTime()), Math.max(max, p.time.getTime())];
  return min === max ? `, at ${new Date(min).toISOString()}` : `, ${new Date(min).toISOString()} … ${new Date(max).toISOString()}`;
}
