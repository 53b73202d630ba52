import { open, readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { JsonFile, replaceDurably } from './durable-file.js';
import { compactLines } from './line-compaction.js';

const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.lp$/;
/** The suffix of a compaction's new file until it is renamed into place. */
const COMPACTING = '.compacting';
const DAY_MS = 86_400_000;
/** Bytes read at a time, backwards from the end of a file, looking for its last newline. */
const TAIL_CHUNK = 64 * 1024;

/** A day file whose last line was cut off (a crash or a full disk mid-append). */
export interface TornTail {
  name: string;
  /** Bytes cut off. */
  bytes: number;
}

/**
 * Cuts a file back to the end of its last whole line; returns the bytes cut. A torn line must not
 * stay: its cut-off timestamp still parses, as another time, and the next append would run on
 * from it.
 */
async function cutTornTail(file: string, size: number): Promise<number> {
  if (size === 0) return 0;
  const handle = await open(file, 'r+');
  try {
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    if (last[0] === 0x0a) return 0;
    // Where the last whole line ends: after the last newline, or 0 when there is none.
    let keep = 0;
    const buf = Buffer.alloc(Math.min(TAIL_CHUNK, size));
    for (let end = size; end > 0; end -= buf.length) {
      const start = Math.max(0, end - buf.length);
      const { bytesRead } = await handle.read(buf, 0, end - start, start);
      const newline = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (newline >= 0) {
        keep = start + newline + 1;
        break;
      }
    }
    await handle.truncate(keep);
    await handle.datasync();
    return size - keep;
  } finally {
    await handle.close();
  }
}

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
   * Learns the folder: drops what a compaction cut short left (its old file is still whole), cuts
   * off a torn last line, and learns the sizes of the day files. A missing folder is an empty store.
   * Returns the files whose last line was torn.
   */
  async scan(): Promise<TornTail[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') return [];
      throw err;
    }
    const compacted = (await this.index.read()) ?? {};
    this.files.clear();
    this.bytes = 0;
    const torn: TornTail[] = [];
    for (const name of names) {
      if (name.endsWith(COMPACTING)) await rm(path.join(this.dir, name), { force: true });
      if (!DAY_FILE.test(name)) continue;
      const file = path.join(this.dir, name);
      const found = (await stat(file)).size;
      const cut = await cutTornTail(file, found);
      if (cut > 0) torn.push({ name, bytes: cut });
      const size = found - cut;
      this.files.set(name, { size, compacted: compacted[name] === size ? size : 0 });
      this.bytes += size;
    }
    return torn;
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
