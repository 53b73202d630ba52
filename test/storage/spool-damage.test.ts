import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { batchOf, linesOf, type LineBatch } from '../../core/storage/line-batch.js';
import { Spool } from '../../core/storage/spool.js';
import { range, tempDir } from '../support/storage-fixture.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function spoolDir(): string {
  const t = tempDir('homeiq-spool-damage-');
  cleanups.push(t.cleanup);
  return path.join(t.dir, 'spool');
}

function batch(first: number, n: number): LineBatch {
  return batchOf(range(first, first + n).map((i) => `m,source=src seq=${i} ${1_700_000_000 + i}`), ['src']);
}

async function drain(spool: Spool): Promise<number[]> {
  const out: number[] = [];
  for (let b = await spool.peek(1000); b; b = await spool.peek(1000)) {
    out.push(...linesOf(b).map((l) => Number(/seq=(\d+)/.exec(l)![1])));
    await spool.ack(b);
  }
  return out;
}

/** A spool folder with one segment of `records` records of `per` points each; returns the segment's path. */
async function spoolOf(dir: string, records: number, per: number): Promise<string> {
  const spool = new Spool({ dir, maxBytes: 1 << 20 });
  await spool.open();
  for (let i = 0; i < records; i++) await spool.append(batch(i * per, per));
  await spool.close();
  return path.join(dir, readdirSync(dir).find((f) => f.endsWith('.spool'))!);
}

describe('a damaged spool', () => {
  it('skips one record with a flipped byte in the middle and keeps the records after it', async () => {
    const dir = spoolDir();
    const file = await spoolOf(dir, 3, 10);
    const bytes = readFileSync(file);
    const size = bytes.length;
    bytes[Math.floor(size / 2)]! ^= 0x01; // inside the second record's lines
    writeFileSync(file, bytes);

    const spool = new Spool({ dir, maxBytes: 1 << 20 });
    const report = await spool.open();
    expect(report).toMatchObject({ points: 20, tornBytes: 0, damagedPoints: 10 });
    expect(statSync(file).size).toBe(size); // nothing after the damage is cut off
    expect(await drain(spool)).toEqual([...range(0, 10), ...range(20, 30)]);
    await spool.close();
  });

  it('notices a flipped bit in a header\'s point count (the count is inside the checksum)', async () => {
    const dir = spoolDir();
    const file = await spoolOf(dir, 2, 10);
    const bytes = readFileSync(file);
    bytes[11]! ^= 0x40; // the first record's count: 10 -> 74
    writeFileSync(file, bytes);

    const spool = new Spool({ dir, maxBytes: 1 << 20 });
    expect(await spool.open()).toMatchObject({ points: 10, damagedPoints: 10 });
    expect(await drain(spool)).toEqual(range(10, 20));
    await spool.close();
  });

  it('still reads a record written by an older version (checksum of the payload only)', async () => {
    const dir = spoolDir();
    mkdirSync(dir, { recursive: true });
    const payload = Buffer.from('["src"]\nm,source=src seq=7 1700000007\nm,source=src seq=8 1700000008');
    const header = Buffer.alloc(16);
    header.write('HQS1', 0, 'latin1');
    header.writeUInt32BE(payload.length, 4);
    header.writeUInt32BE(2, 8);
    header.writeUInt32BE(crc32(payload), 12);
    writeFileSync(path.join(dir, '000000000001.spool'), Buffer.concat([header, payload]));

    const spool = new Spool({ dir, maxBytes: 1 << 20 });
    expect(await spool.open()).toMatchObject({ points: 2, damagedPoints: 0 });
    expect(await drain(spool)).toEqual([7, 8]);
    await spool.close();
  });

  it('starts with a stray file and a directory named like a segment in the folder, and leaves them alone', async () => {
    const dir = spoolDir();
    await spoolOf(dir, 1, 5);
    mkdirSync(path.join(dir, '000000000009.spool'));
    writeFileSync(path.join(dir, 'notes.txt'), 'hello');

    const spool = new Spool({ dir, maxBytes: 1 << 20 });
    const report = await spool.open();
    expect(report.points).toBe(5);
    expect(report.oddEntries.sort()).toEqual(['000000000009.spool', 'notes.txt']);
    await spool.append(batch(5, 5)); // numbered after the stray entry, not into it
    expect(await drain(spool)).toEqual(range(0, 10));
    expect(readdirSync(dir).sort()).toEqual(['000000000009.spool', 'notes.txt']);
    await spool.close();
  });

  it.each([
    ['not JSON', '{"seq": 1, "off'],
    ['a segment that does not exist', '{"seq": 999, "offset": 0}'],
    ['an offset inside a record', '{"seq": 1, "offset": 7}'],
  ])('replays every segment, deleting none, when cursor.json holds %s', async (_what, cursor) => {
    const dir = spoolDir();
    const spool = new Spool({ dir, maxBytes: 1 << 20, segmentBytes: 300 });
    await spool.open();
    for (let i = 0; i < 6; i++) await spool.append(batch(i * 4, 4));
    await spool.close();
    const segments = readdirSync(dir).filter((f) => f.endsWith('.spool'));
    expect(segments.length).toBeGreaterThan(2);
    writeFileSync(path.join(dir, 'cursor.json'), cursor);

    const again = new Spool({ dir, maxBytes: 1 << 20, segmentBytes: 300 });
    expect(await again.open()).toMatchObject({ points: 24, cursorIgnored: true });
    expect(readdirSync(dir).filter((f) => f.endsWith('.spool'))).toEqual(segments);
    expect(await drain(again)).toEqual(range(0, 24));
    await again.close();
  });

  it('makes its folder again when it was deleted while the host runs', async () => {
    const dir = spoolDir();
    const spool = new Spool({ dir, maxBytes: 1 << 20 });
    await spool.open();
    rmSync(dir, { recursive: true });
    await spool.append(batch(0, 3));
    expect(readdirSync(dir).filter((f) => f.endsWith('.spool'))).toHaveLength(1);
    expect(await drain(spool)).toEqual([0, 1, 2]);
    await spool.close();
  });

  it('moves on when an acknowledgement cannot be recorded on disk, and says so', async () => {
    const dir = spoolDir();
    const spool = new Spool({ dir, maxBytes: 1 << 20 });
    await spool.open();
    for (let i = 0; i < 3; i++) await spool.append(batch(i * 4, 4));
    mkdirSync(path.join(dir, 'cursor.json.tmp')); // the cursor cannot be replaced
    const first = await spool.peek(4);
    await expect(spool.ack(first!)).rejects.toThrow(/EISDIR/);
    expect(spool.points).toBe(8);
    const next = await spool.peek(4);
    expect(linesOf(next!).length).toBe(4);
    expect(next!.start).toEqual(first!.end);
    await spool.close();
  });

  it('fails an append on a full disk without losing what it holds', async () => {
    const dir = spoolDir();
    const spool = new Spool({ dir, maxBytes: 1 << 20 });
    await spool.open();
    await spool.append(batch(0, 4));
    await spool.close();
    const again = new Spool({ dir, maxBytes: 1 << 20 });
    await again.open();
    symlinkSync('/dev/full', path.join(dir, '000000000002.spool')); // the next segment: writes fail with ENOSPC
    await expect(again.append(batch(4, 4))).rejects.toThrow(/ENOSPC/);
    expect(again.points).toBe(4);
    expect(await drain(again)).toEqual(range(0, 4));
    await again.close();
  });
});
