import { statusIcon } from '../runtime/status-icon.js';
import type { CliIo } from './cli.js';
import { runEachOnce } from './offline-run.js';

/**
 * `homeiq check`: validates the config (exit 2 on problems), runs each source once without
 * writing, prints a table. Exit 1 when any enabled source with credentials failed; a standby
 * source is not a failure.
 */
export async function checkCommand(configFile: string, io: CliIo): Promise<number> {
  const { loaded, results } = await runEachOnce(configFile, io, { startable: true });
  const rows = results.map(({ prepared, runner }) => {
    const h = runner.health();
    const { icon, text } = statusIcon(h.status, h.status_detail);
    const note = h.last_error?.message ?? h.hint ?? (h.status === 'healthy' ? `${h.points_last_run} points` : '');
    return [prepared.source.id, prepared.source.plugin, `${icon} ${text}`, h.status_detail, note];
  });
  const unloaded = new Set(results.filter((r) => r.prepared.loadError).map((r) => r.prepared.source.plugin));
  const verdict = unloaded.size === 0 ? 'ok' : `valid, but ${unloaded.size} plugin(s) failed to load (${[...unloaded].join(', ')})`;
  io.out(`config ${loaded.config.file}: ${verdict}, ${results.length} source(s)\n\n`);
  io.out(formatTable(['SOURCE', 'PLUGIN', 'STATUS', 'DETAIL', 'NOTE'], rows));
  const failed = results.filter(({ runner }) => ['error', 'degraded'].includes(runner.health().status));
  if (failed.length > 0) {
    io.err(`\n${failed.length} source(s) have a problem: ${failed.map((f) => f.prepared.source.id).join(', ')}\n`);
    return 1;
  }
  return 0;
}

/** A plain text table; emoji count as two columns wide. */
export function formatTable(header: string[], rows: string[][]): string {
  const width = (s: string) => [...s].reduce((n, ch) => n + (/\p{Extended_Pictographic}/u.test(ch) ? 2 : /\uFE0F/.test(ch) ? 0 : 1), 0);
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - width(c))))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
