/**
 * Sends line protocol to one store. A writer does not retry: the storage decides, and keeps what
 * could not be written in its spool. It throws a StorageWriteError (see write-failure.ts).
 */
export interface LineWriter {
  /** The store, for messages: no credentials, no query string. */
  readonly where: string;
  /** Writes a body of `\n`-joined lines (no trailing newline needed) or throws StorageWriteError. */
  write(body: string): Promise<void>;
  /** Releases connections and files. */
  close(): Promise<void>;
}
