import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { appendDurably } from './durable-file.js';
import { lineTimeMs, type Precision } from './line-protocol.js';
import type { LineWriter } from './line-writer.js';
import { StorageWriteError, type WriteFailure } from './write-failure.js';

/** Errors a person must fix (permissions, a file where the folder should be). */
const REFUSED_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EISDIR', 'EEXIST']);

/**
 * The embedded local store: line protocol appended to one file per UTC day of the points' own
 * time, `<dir>/YYYY-MM-DD.lp`, nanosecond timestamps, importable with
 * `influx write --bucket homeiq --file data/points/2026-01-01.lp`. Each write is fsynced before it
 * is acknowledged.
 */
export class LocalFileWriter implements LineWriter {
  readonly where: string;
  /** The precision the lines it receives are written at. */
  static readonly precision: Precision = 'ns';
  private created = false;

  constructor(private readonly dir: string) {
    this.where = `local store ${dir}`;
  }

  /** The file a line goes to. */
  fileFor(line: string): string {
    const ms = lineTimeMs(line, LocalFileWriter.precision) ?? Date.now();
    const day = new Date(ms).toISOString().slice(0, 10);
    return path.join(this.dir, `${day}.lp`);
  }

  async write(body: Buffer): Promise<void> {
    const byFile = new Map<string, string[]>();
    for (const line of body.toString('utf8').split('\n')) {
      if (line === '') continue;
      const file = this.fileFor(line);
      const list = byFile.get(file);
      if (list) list.push(line);
      else byFile.set(file, [line]);
    }
    try {
      if (!this.created) {
        await mkdir(this.dir, { recursive: true });
        this.created = true;
      }
      for (const [file, fileLines] of byFile) await appendDurably(file, `${fileLines.join('\n')}\n`);
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'EUNKNOWN';
      const failure: WriteFailure = REFUSED_CODES.has(code) ? 'refused' : 'unavailable';
      this.created = false;
      throw new StorageWriteError(`cannot append to ${this.where}: ${code}`, { failure, cause: err });
    }
  }

  async close(): Promise<void> {}
}
