import { open, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes every byte: a full disk (or a file-size limit) first cuts a write short, and only the
 * next write fails (ENOSPC, EFBIG); a short count taken as done would leave a torn line.
 */
async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  for (let done = 0; done < data.length; ) {
    const { bytesWritten } = await handle.write(data, done);
    if (bytesWritten === 0) throw Object.assign(new Error('the disk took none of the bytes'), { code: 'ENOSPC' });
    done += bytesWritten;
  }
}

/**
 * Appends text to a file and fsyncs it before returning. When the append fails the file is cut
 * back to its size before, so that it never ends in a torn line.
 */
export async function appendDurably(file: string, text: string): Promise<void> {
  const handle = await open(file, 'a');
  try {
    const { size } = await handle.stat();
    try {
      await writeAll(handle, Buffer.from(text, 'utf8'));
      await handle.datasync();
    } catch (err) {
      // If even this fails, the writer looks at the file's tail again before its next append.
      await handle.truncate(size).catch(() => {});
      throw err;
    }
  } finally {
    await handle.close();
  }
}

/** Writes text to a new file and fsyncs it before returning. */
async function writeSynced(file: string, text: string): Promise<void> {
  const handle = await open(file, 'w');
  try {
    await writeAll(handle, Buffer.from(text, 'utf8'));
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
  try {
    await writeSynced(tmp, text);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
  await rename(tmp, file);
  await fsyncDir(path.dirname(file));
}
