import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { DayFiles } from './day-files.js';
import { appendDurably } from './durable-file.js';
import { lineTimeMs, type Precision } from './line-protocol.js';
import type { LineWriter } from './line-writer.js';
import { StorageWriteError, type WriteFailure } from './write-failure.js';

/** Errors a person must fix (permissions, a file where the folder should be). */
const REFUSED_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EISDIR', 'EEXIST']);
/** How often an idle store looks whether the day changed (retention, closing yesterday's file). */
const DAY_CHECK_MS = 3_600_000;
/** What the codes of a full disk mean, for the message a user reads. */
const FULL_DISK: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EFBIG: 'the file reached the largest size the file system or the process allows',
};

export interface LocalFileWriterOptions {
  /** Day files whose day ended longer ago than this are deleted. Default 90 days. */
  retentionMs?: number;
  /** A day file is compacted after this many bytes were appended (or its compacted size, if more). Default 1 MiB. */
  compactAfterBytes?: number;
  logger?: Logger;
  now?: () => Date;
}

/**
 * The embedded local store: line protocol appended to one file per UTC day of the points' own
 * time, `<dir>/YYYY-MM-DD.lp`, nanosecond timestamps, importable with
 * `influx write --bucket homeiq --file data/points/2026-01-01.lp`. Each write is fsynced before it
 * is acknowledged. A re-fetched forecast would add its points again at every run, so a day file is
 * compacted (each point once, the last write winning, as in InfluxDB) when its day is over and
 * whenever it has grown enough; day files older than the retention are deleted.
 */
export class LocalFileWriter implements LineWriter {
  readonly where: string;
  /** The precision the lines it receives are written at. */
  static readonly precision: Precision = 'ns';
  private readonly files: DayFiles;
  private readonly now: () => Date;
  /** The folder exists and the day files' sizes and tails are known (false again after a failed append). */
  private ready = false;
  /** The UTC day the last housekeeping ran for; '' before the first. */
  private today = '';
  private timer: NodeJS.Timeout | undefined;
  /** Appends, compactions and housekeeping, one at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly o: LocalFileWriterOptions = {},
  ) {
    this.where = `local store ${dir}`;
    this.now = o.now ?? (() => new Date());
    this.files = new DayFiles(dir, { retentionMs: o.retentionMs ?? 90 * 86_400_000, compactAfterBytes: o.compactAfterBytes ?? 1024 ** 2 });
  }

  /** Bytes of the day files on disk, kept up to date as they are written, compacted and dropped. */
  get diskBytes(): number {
    return this.files.diskBytes;
  }

  /** Learns the folder and tidies it (closed days compacted, expired days dropped), then once a day. */
  async open(): Promise<void> {
    await this.serial(() => this.housekeep(true));
    this.timer = setInterval(() => void this.serial(() => this.housekeep(false)), DAY_CHECK_MS);
    this.timer.unref();
  }

  write(body: Buffer): Promise<void> {
    return this.serial(() => this.append(body));
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.queue;
  }

  /** The day file a line goes to. */
  private nameFor(line: string): string {
    const ms = lineTimeMs(line, LocalFileWriter.precision) ?? this.now().getTime();
    return `${new Date(ms).toISOString().slice(0, 10)}.lp`;
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => {});
    return run;
  }

  private async append(body: Buffer): Promise<void> {
    const byFile = new Map<string, string[]>();
    for (const line of body.toString('utf8').split('\n')) {
      if (line === '') continue;
      const name = this.nameFor(line);
      const list = byFile.get(name);
      if (list) list.push(line);
      else byFile.set(name, [line]);
    }
    const grown: string[] = [];
    try {
      if (!this.ready) {
        await mkdir(this.dir, { recursive: true });
        await this.learn();
        this.ready = true;
      }
      for (const [name, fileLines] of byFile) {
        const text = `${fileLines.join('\n')}\n`;
        await appendDurably(path.join(this.dir, name), text);
        if (this.files.appended(name, Buffer.byteLength(text))) grown.push(name);
      }
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'EUNKNOWN';
      const failure: WriteFailure = REFUSED_CODES.has(code) ? 'refused' : 'unavailable';
      this.ready = false;
      const why = FULL_DISK[code] === undefined ? '' : ` (${FULL_DISK[code]})`;
      throw new StorageWriteError(`cannot append to ${this.where}: ${code}${why}`, { failure, cause: err });
    }
    // The points are written and acknowledged whatever happens to the compaction.
    for (const name of grown) await this.tidy(() => this.files.compact(name));
    await this.tidy(() => this.housekeep(false));
  }

  /** On a new UTC day (or at open): compacts the days now over and drops the expired ones. */
  private async housekeep(scan: boolean): Promise<void> {
    const now = this.now();
    const today = now.toISOString().slice(0, 10);
    if (!scan && today === this.today) return;
    this.today = today;
    await this.tidy(async () => {
      if (scan) await this.learn();
      await this.files.compactClosed(today);
      const dropped = await this.files.dropExpired(now.getTime());
      if (dropped.length > 0) this.o.logger?.info({ files: dropped }, 'local store: deleted day files older than the retention');
    });
  }

  /** Learns the day files, cutting off a line a crash or a full disk left torn. */
  private async learn(): Promise<void> {
    for (const torn of await this.files.scan()) {
      this.o.logger?.warn({ file: torn.name, bytes: torn.bytes }, 'local store: cut off a torn last line (a crash or a full disk in the middle of a write)');
    }
  }

  /** Runs a compaction or clean-up; a failure is logged, and the files stay as they were. */
  private async tidy(task: () => Promise<void>): Promise<void> {
    try {
      await task();
    } catch (err) {
      this.o.logger?.warn({ err }, 'local store: could not compact or clean up the day files');
    }
  }
}
