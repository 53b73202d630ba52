import { open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Appends text to a file and fsyncs it before returning. */
export function appendDurably(file: string, text: string): Promise<void> {
  return writeSynced(file, text, 'a');
}

/** Writes text to a file opened with `flags` and fsyncs it before returning. */
async function writeSynced(file: string, text: string, flags: 'a' | 'w'): Promise<void> {
  const handle = await open(file, flags);
  try {
    await handle.write(text);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** Fsyncs a directory, so that a file just created in it survives a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the file's own fsync still holds its data.
  } finally {
    await handle.close();
  }
}

/**
 * A small JSON file replaced atomically (write a temporary file, rename it over). Not fsynced:
 * it holds hints whose loss costs a little repeated work, never data.
 */
export class JsonFile<T> {
  constructor(private readonly file: string) {}

  /** The value, or null when the file is missing or unreadable. */
  async read(): Promise<T | null> {
    try {
      return JSON.parse(await readFile(this.file, 'utf8')) as T;
    } catch {
      return null;
    }
  }

  /** The value, null when the file is missing; throws when it is there but unreadable or not JSON. */
  async readStrict(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    return JSON.parse(text) as T;
  }

  async write(value: T): Promise<void> {
    await writeFile(`${this.file}.tmp`, JSON.stringify(value));
    await rename(`${this.file}.tmp`, this.file);
  }

  async remove(): Promise<void> {
    await rm(this.file, { force: true });
  }
}

/**
 * Replaces a file's content so that a crash leaves either the old file or the new one, whole:
 * the text goes to `<file><tmpSuffix>`, is fsynced, renamed over the file, and the rename fsynced.
 */
export async function replaceDurably(file: string, text: string, tmpSuffix: string): Promise<void> {
  const tmp = `${file}${tmpSuffix}`;
  await writeSynced(tmp, text, 'w');
  await rename(tmp, file);
  await fsyncDir(path.dirname(file));
}
