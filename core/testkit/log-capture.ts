import { Writable } from 'node:stream';

/** Collects log lines (JSON) in memory, for tests that read what a user would see in the log. */
export class LogCapture extends Writable {
  private readonly chunks: string[] = [];

  constructor() {
    super({ decodeStrings: false });
  }

  override _write(chunk: unknown, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.chunks.push(String(chunk));
    done();
  }

  /** Everything logged so far. */
  text(): string {
    return this.chunks.join('');
  }

  /** Parsed log records. */
  records(): Record<string, unknown>[] {
    return this.text()
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}
