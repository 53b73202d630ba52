import type { Logger } from 'pino';
import type { SpoolOpenReport } from './spool.js';
import type { StorageStatus } from './storage-status.js';

/**
 * Logs what the spool found on disk at start. A record torn by a crash is expected (kill -9 in
 * the middle of an append) and a warning; damaged records are not (a disk or a hand changed the
 * bytes): an error, and their points are counted as dropped.
 */
export function reportSpoolOpen(report: SpoolOpenReport, log: Logger, status: StorageStatus): void {
  if (report.oddEntries.length > 0) log.warn({ entries: report.oddEntries.slice(0, 20) }, 'spool: ignoring entries of the folder that are not segment files');
  if (report.cursorIgnored) log.warn('spool: cursor.json is damaged or matches no record; replaying from the first segment (points already written are written again)');
  if (report.tornBytes > 0) log.warn({ bytes: report.tornBytes }, 'spool: cut off a record torn by a crash');
  if (report.damagedBytes > 0) {
    status.recordDrop(report.damagedPoints, `spool: skipped ${report.damagedBytes} damaged bytes (about ${report.damagedPoints} points)`);
    log.error({ points: report.damagedPoints, bytes: report.damagedBytes }, 'spool: skipped damaged records; the records after them are kept');
  }
  if (report.points > 0) log.info({ points: report.points }, 'spool: replaying points an earlier run could not write');
}
