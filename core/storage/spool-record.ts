import { crc32 } from 'node:zlib';
import type { LineBatch } from './line-batch.js';

/**
 * One record of a spool segment: a 16-byte header (magic, payload length, point count, CRC-32 of
 * the payload) and the payload (the batch's source ids as a JSON array, a newline, its lines).
 * The CRC lets a reader tell a record torn by a crash from a whole one.
 */
export const HEADER_BYTES = 16;
const MAGIC = 0x48515331; // "HQS1"
/** Refuses absurd lengths in a damaged header instead of allocating them. */
const MAX_PAYLOAD_BYTES = 512 * 1024 * 1024;

/**
 * Encodes a batch as a record, in pieces (header, sources, lines) to be written with one writev:
 * the lines are not copied.
 */
export function encodeRecord(batch: LineBatch): Buffer[] {
  const sources = Buffer.from(`${JSON.stringify(batch.sources)}\n`, 'utf8');
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32BE(MAGIC, 0);
  header.writeUInt32BE(sources.length + batch.body.length, 4);
  header.writeUInt32BE(batch.count, 8);
  header.writeUInt32BE(crc32(batch.body, crc32(sources)), 12);
  return [header, sources, batch.body];
}

/** A record's header, read back. */
export interface RecordHeader {
  payloadBytes: number;
  points: number;
  crc: number;
}

/** Reads a header, or null when the bytes are not one. */
export function decodeHeader(buf: Buffer, offset = 0): RecordHeader | null {
  if (buf.length - offset < HEADER_BYTES || buf.readUInt32BE(offset) !== MAGIC) return null;
  const payloadBytes = buf.readUInt32BE(offset + 4);
  if (payloadBytes > MAX_PAYLOAD_BYTES) return null;
  return { payloadBytes, points: buf.readUInt32BE(offset + 8), crc: buf.readUInt32BE(offset + 12) };
}

/** Decodes a payload whose CRC matched (the body shares the payload's memory). */
export function decodePayload(payload: Buffer, points: number): LineBatch {
  const nl = payload.indexOf(0x0a);
  const sources = JSON.parse(payload.toString('utf8', 0, nl)) as string[];
  return { body: payload.subarray(nl + 1), count: points, sources };
}

/** What a scan of a whole segment file found. */
export interface SegmentScan {
  /** Bytes of whole, valid records from the start. */
  validBytes: number;
  points: number;
  records: number;
  /** True when bytes after `validBytes` are not a whole record (a torn write, damage). */
  torn: boolean;
}

/** Walks the records of a segment, checking each CRC; stops at the first that is not whole. */
export function scanSegment(buf: Buffer): SegmentScan {
  let offset = 0;
  let points = 0;
  let records = 0;
  while (offset < buf.length) {
    const header = decodeHeader(buf, offset);
    const end = offset + HEADER_BYTES + (header?.payloadBytes ?? 0);
    if (!header || end > buf.length) break;
    if (crc32(buf.subarray(offset + HEADER_BYTES, end)) !== header.crc) break;
    points += header.points;
    records += 1;
    offset = end;
  }
  return { validBytes: offset, points, records, torn: offset < buf.length };
}
