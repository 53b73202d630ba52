import { open, type FileHandle } from 'node:fs/promises';
import type { LineBatch } from './line-batch.js';
import { decodeHeader, decodePayload, HEADER_BYTES, payloadMatches } from './spool-record.js';

/** Budget of the records kept in memory after an append (bytes of record). */
const RECENT_BUDGET_BYTES = 32 * 1024 * 1024;

/**
 * The records this process appended lately, by position. Replay usually follows right behind the
 * appends (always, with write-ahead), so it takes them from here instead of reading, checking and
 * decoding them again; the disk copy is what a restart replays.
 */
export class RecentRecords {
  private readonly byPosition = new Map<string, { batch: LineBatch; bytes: number }>();
  private bytes = 0;

  remember(seq: number, offset: number, batch: LineBatch, bytes: number): void {
    this.byPosition.set(`${seq}:${offset}`, { batch, bytes });
    this.bytes += bytes;
    // Positions are never reused (segment numbers only grow), so the oldest entries simply age out.
    for (const [key, entry] of this.byPosition) {
      if (this.bytes <= RECENT_BUDGET_BYTES) break;
      this.byPosition.delete(key);
      this.bytes -= entry.bytes;
    }
  }

  get(seq: number, offset: number): { batch: LineBatch; bytes: number } | undefined {
    return this.byPosition.get(`${seq}:${offset}`);
  }

  clear(): void {
    this.byPosition.clear();
    this.bytes = 0;
  }
}

/** Whole records read from a segment, and where reading stopped. */
export interface RecordsRead {
  batches: LineBatch[];
  points: number;
  offset: number;
  /** A record that fails its check: what follows in the segment cannot be trusted. */
  damaged: boolean;
}

/** A segment to read: its file, the bytes of whole records, damaged ranges found on open (start to end). */
export interface SegmentFile {
  seq: number;
  file: string;
  size: number;
  skips: ReadonlyMap<number, number>;
}

/** Reads whole records of a segment from `from` up to its size, about `wanted` points (at least one record). */
export async function readRecords(seg: SegmentFile, from: number, wanted: number, recent: RecentRecords): Promise<RecordsRead> {
  const { seq, file, size } = seg;
  const read: RecordsRead = { batches: [], points: 0, offset: from, damaged: false };
  let handle: FileHandle | null = null;
  try {
    while (read.offset < size && (read.points < wanted || read.batches.length === 0)) {
      const skipTo = seg.skips.get(read.offset);
      if (skipTo !== undefined) {
        read.offset = skipTo;
        continue;
      }
      const cached = recent.get(seq, read.offset);
      if (cached) {
        read.batches.push(cached.batch);
        read.points += cached.batch.count;
        read.offset += cached.bytes;
        continue;
      }
      handle ??= await open(file, 'r');
      const head = Buffer.alloc(HEADER_BYTES);
      await handle.read(head, 0, HEADER_BYTES, read.offset);
      const header = decodeHeader(head);
      const payload = header ? Buffer.alloc(header.payloadBytes) : null;
      if (header && payload) await handle.read(payload, 0, payload.length, read.offset + HEADER_BYTES);
      if (!header || !payload || !payloadMatches(header, payload)) {
        read.damaged = true;
        break;
      }
      read.batches.push(decodePayload(payload, header.points));
      read.points += header.points;
      read.offset += HEADER_BYTES + header.payloadBytes;
    }
  } finally {
    await handle?.close();
  }
  return read;
}
