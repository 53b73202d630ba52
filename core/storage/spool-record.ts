import { crc32 } from 'node:zlib';
import type { LineBatch } from './line-batch.js';

/**
 * One record of a spool segment: a 16-byte header (magic, payload length, point count, CRC-32)
 * and the payload (the batch's source ids as a JSON array, a newline, its lines). The CRC covers
 * the length, the count and the payload ("HQS2"); records of older spools ("HQS1") checked the
 * payload only and are still read. The CRC lets a reader tell a whole record from a torn or
 * damaged one, and the magic lets it find the next whole record after a damaged one.
 */
export const HEADER_BYTES = 16;
const MAGIC = 0x48515332; // "HQS2"
const MAGIC_V1 = 0x48515331; // "HQS1": the CRC does not cover the header
/** Refuses absurd lengths in a damaged header instead of allocating them. */
const MAX_PAYLOAD_BYTES = 512 * 1024 * 1024;

function headerCrc(header: Buffer, offset: number): number {
  return crc32(header.subarray(offset + 4, offset + 12));
}

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
  header.writeUInt32BE(crc32(batch.body, crc32(sources, headerCrc(header, 0))), 12);
  return [header, sources, batch.body];
}

/** A record's header, read back. */
export interface RecordHeader {
  payloadBytes: number;
  points: number;
  crc: number;
  /** The CRC of the payload starts from this value (the header's, or 0 for an old record). */
  seed: number;
}

/** Reads a header, or null when the bytes are not one. */
export function decodeHeader(buf: Buffer, offset = 0): RecordHeader | null {
  if (buf.length - offset < HEADER_BYTES) return null;
  const magic = buf.readUInt32BE(offset);
  if (magic !== MAGIC && magic !== MAGIC_V1) return null;
  const payloadBytes = buf.readUInt32BE(offset + 4);
  if (payloadBytes > MAX_PAYLOAD_BYTES) return null;
  const seed = magic === MAGIC ? headerCrc(buf, offset) : 0;
  return { payloadBytes, points: buf.readUInt32BE(offset + 8), crc: buf.readUInt32BE(offset + 12), seed };
}

/** True when a payload matches its header's CRC. */
export function payloadMatches(header: RecordHeader, payload: Buffer): boolean {
  return crc32(payload, header.seed) === header.crc;
}

/** Decodes a payload whose CRC matched (the body shares the payload's memory). */
export function decodePayload(payload: Buffer, points: number): LineBatch {
  const nl = payload.indexOf(0x0a);
  const sources = JSON.parse(payload.toString('utf8', 0, nl)) as string[];
  return { body: payload.subarray(nl + 1), count: points, sources };
}

/** Bytes of a segment skipped because they are not whole records, and the points they held. */
export interface DamagedRange {
  from: number;
  to: number;
  /** Estimated from the lines in the bytes: a damaged header's count cannot be trusted. */
  points: number;
}

/** What a scan of a whole segment file found. */
export interface SegmentScan {
  /** Bytes up to the end of the last whole record. */
  validBytes: number;
  /** Points of the whole records. */
  points: number;
  /** Damaged bytes before `validBytes` (whole records follow them), or at the end when they hold a whole-length record. */
  damaged: DamagedRange[];
  /** Bytes after `validBytes` that are an incomplete record: an append cut short by a crash. */
  tornBytes: number;
}

/** The end of the whole, valid record at `offset`; 'short' when the bytes end inside it; null when it is not one. */
function recordEnd(buf: Buffer, offset: number): number | 'short' | null {
  const header = decodeHeader(buf, offset);
  if (!header) return buf.length - offset < HEADER_BYTES ? 'short' : null;
  const end = offset + HEADER_BYTES + header.payloadBytes;
  if (end > buf.length) return 'short';
  return payloadMatches(header, buf.subarray(offset + HEADER_BYTES, end)) ? end : null;
}

/** The offset of the next whole, valid record after `from`, or -1. */
function nextRecord(buf: Buffer, from: number): number {
  const magics = [MAGIC, MAGIC_V1].map((m) => Buffer.from(m.toString(16), 'hex'));
  for (let at = from + 1; at < buf.length; at++) {
    const hits = magics.map((m) => buf.indexOf(m, at)).filter((i) => i >= 0);
    if (hits.length === 0) return -1;
    at = Math.min(...hits);
    if (typeof recordEnd(buf, at) === 'number') return at;
  }
  return -1;
}

/** Lines in damaged bytes, less each record's line of sources: about the points they held. */
function linesIn(bytes: Buffer): number {
  let lines = 1;
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) lines++;
  return Math.max(1, lines - 1);
}

/**
 * Walks the records of a segment, checking each CRC. A damaged record is skipped up to the next
 * whole one, so that one bad byte costs one record, not the rest of the file; only an incomplete
 * last record is a torn append.
 */
export function scanSegment(buf: Buffer): SegmentScan {
  const scan: SegmentScan = { validBytes: 0, points: 0, damaged: [], tornBytes: 0 };
  let offset = 0;
  while (offset < buf.length) {
    const end = recordEnd(buf, offset);
    if (typeof end === 'number') {
      scan.points += decodeHeader(buf, offset)!.points;
      offset = scan.validBytes = end;
      continue;
    }
    const next = nextRecord(buf, offset);
    if (next < 0 && end === 'short') {
      scan.tornBytes = buf.length - offset;
      break;
    }
    const to = next < 0 ? buf.length : next;
    // The header's bytes are not counted: its length or count may hold a newline byte.
    scan.damaged.push({ from: offset, to, points: linesIn(buf.subarray(Math.min(to, offset + HEADER_BYTES), to)) });
    offset = to;
  }
  return scan;
}
