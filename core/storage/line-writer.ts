/**
 * Sends line protocol to one store. A writer does not retry: the storage decides, and keeps what
 * could not be written in its spool. It throws a StorageWriteError (see write-failure.ts).
 */
export interface LineWriter {
  /** The store, for messages: no credentials, no query string. */
  readonly where: string;
  /** Writes a body of `\n`-joined lines, UTF-8 (no trailing newline needed), or throws StorageWriteError. */
  write(body: Buffer): Promise<void>;
  /** Prepares the store before the first write (the local store tidies its folder). */
  open?(): Promise<void>;
  /** Bytes the store holds on disk, for a store on this machine. */
  readonly diskBytes?: number;
  /** Releases connections and files. */
  close(): Promise<void>;
}
