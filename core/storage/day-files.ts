import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { JsonFile, replaceDurably } from './durable-file.js';
import { compactLines } from './line-compaction.js';

const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.lp$/;
/** The suffix of a compaction's new file until it is renamed into place. */
const COMPACTING = '.compacting';
const DAY_MS = 86_400_000;

interface FileState {
  /** Bytes on disk. */
  size: number;
  /** Its size after its last compaction; 0 while it never was. */
  compacted: number;
}

export interface DayFilesOptions {
  /** Day files whose whole day is older than this are deleted. */
  retentionMs: number;
  /** A file is compacted once this many bytes, or its compacted size if larger, were appended. */
  compactAfterBytes: number;
}

/**
 * The day files of the local store and what is known of them: their sizes (so the store's size on
 * disk needs no scan) and which of them are compacted (`compacted.json`, a hint: losing it costs
 * one more compaction, never data). Not safe for concurrent calls: the writer serialises them.
 */
export class DayFiles {
  private readonly files = new Map<string, FileState>();
  private readonly index: JsonFile<Record<string, number>>;
  private bytes = 0;

  constructor(
    private readonly dir: string,
    private readonly o: DayFilesOptions,
  ) {
    this.index = new JsonFile(path.join(dir, 'compacted.json'));
  }

  /** Bytes of all day files. */
  get diskBytes(): number {
    return this.bytes;
  }

  /**
   * Learns the folder: drops what a compaction cut short left (its old file is still whole) and
   * the sizes of the day files. A missing folder is an empty store.
   */
  async scan(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') return;
      throw err;
    }
    const compacted = (await this.index.read()) ?? {};
    this.files.clear();
    this.bytes = 0;
    for (const name of names) {
      if (name.endsWith(COMPACTING)) await rm(path.join(this.dir, name), { force: true });
      if (!DAY_FILE.test(name)) continue;
      const { size } = await stat(path.join(this.dir, name));
      this.files.set(name, { size, compacted: compacted[name] === size ? size : 0 });
      this.bytes += size;
    }
  }

  /** Counts bytes appended to a day file; true when the file has grown enough to compact. */
  appended(name: string, bytes: number): boolean {
    const state = this.files.get(name) ?? { size: 0, compacted: 0 };
    state.size += bytes;
    this.files.set(name, state);
    this.bytes += bytes;
    return state.size - state.compacted > Math.max(state.compacted, this.o.compactAfterBytes);
  }

  /** Compacts every day file of a day before `today` (`YYYY-MM-DD`) that changed since its last compaction. */
  async compactClosed(today: string): Promise<void> {
    for (const [name, state] of this.files) {
      if (name.slice(0, 10) < today && state.size !== state.compacted) await this.compact(name);
    }
  }

  /** Rewrites a day file with each point once (last write wins), atomically. */
  async compact(name: string): Promise<void> {
    const file = path.join(this.dir, name);
    const text = compactLines(await readFile(file, 'utf8'));
    await replaceDurably(file, text, COMPACTING);
    const size = Buffer.byteLength(text);
    this.bytes += size - (this.files.get(name)?.size ?? 0);
    this.files.set(name, { size, compacted: size });
    await this.saveIndex();
  }

  /** Deletes the day files whose day ended more than the retention before `nowMs`. */
  async dropExpired(nowMs: number): Promise<string[]> {
    const dropped: string[] = [];
    for (const [name, state] of this.files) {
      const dayEnd = Date.parse(`${name.slice(0, 10)}T00:00:00Z`) + DAY_MS;
      if (dayEnd > nowMs - this.o.retentionMs) continue;
      await rm(path.join(this.dir, name), { force: true });
      this.files.delete(name);
      this.bytes -= state.size;
      dropped.push(name);
    }
    if (dropped.length > 0) await this.saveIndex();
    return dropped;
  }

  private async saveIndex(): Promise<void> {
    const index: Record<string, number> = {};
    for (const [name, state] of this.files) if (state.compacted > 0) index[name] = state.compacted;
    await this.index.write(index);
  }
}
