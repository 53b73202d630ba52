import { appendFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { batchOf, linesOf, type LineBatch } from '../../core/storage/line-batch.js';
import { Spool } from '../../core/storage/spool.js';
import { range, tempDir } from '../support/storage-fixture.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function spoolDir(): string {
  const t = tempDir('homeiq-spool-');
  cleanups.push(t.cleanup);
  return path.join(t.dir, 'spool');
}

/** A batch of `n` lines numbered from `first`, ~50 bytes each. */
function batch(first: number, n: number, source = 'src'): LineBatch {
  return batchOf(range(first, first + n).map((i) => `m,source=${source} seq=${i} ${1_700_000_000 + i}`), [source]);
}

function seqOf(b: LineBatch): number[] {
  return linesOf(b).map((l) => Number(/seq=(\d+)/.exec(l)![1]));
}

/** Replays everything: peek, then ack, until empty. */
async function drain(spool: Spool, max = 7): Promise<number[]> {
  const out: number[] = [];
  for (let b = await spool.peek(max); b; b = await spool.peek(max)) {
    out.push(...seqOf(b));
    await spool.ack(b);
  }
  return out;
}

describe('Spool', () => {
  it('replays appended batches in order and is empty afterwards', async () => {
    const dir = spoolDir();
    const spool = new Spool({ dir, maxBytes: 1 << 20, segmentBytes: 300 });
    await spool.open();
    for (let i = 0; i < 10; i++) await spool.append(batch(i * 5, 5));
    expect(spool.points).toBe(50);
    expect(readdirSync(dir).filter((f) => f.endsWith('.spool')).length).toBeGreaterThan(3);
    expect(await drain(spool)).toEqual(range(0, 50));
    expect(spool.points).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
    await spool.close();
  });

  it('gives back the exact bytes of lines beyond ASCII after a restart', async () => {
    const dir = spoolDir();
    const lines = ['wetter,ort=Zürich\\ Süd temp=-3.5 1700000000', 'wetter,ort=Köln note="Glätte ❄ 🌡" 1700000001'];
    const first = new Spool({ dir, maxBytes: 1 << 20 });
    await first.open();
    await first.append(batchOf(lines, ['wetter-ü']));
    await first.close();
    const second = new Spool({ dir, maxBytes: 1 << 20 });
    expect((await second.open()).points).toBe(2);
    const b = await second.peek(10);
    expect(linesOf(b!)).toEqual(lines);
    expect(b!.sources).toEqual(['wetter-ü']);
    await second.close();
  });

  it('reads ahead from the end of a batch still on its way, and resumes after the acknowledged ones', async () => {
    const dir = spoolDir();
    const spool = new Spool({ dir, maxBytes: 1 << 20, segmentBytes: 300 });
    await spool.open();
    for (let i = 0; i < 6; i++) await spool.append(batch(i * 4, 4));
    const first = await spool.peek(8);
    const second = await spool.peek(8, first!.end);
    expect(seqOf(first!)).toEqual(range(0, 8));
    expect(seqOf(second!)).toEqual(range(8, 16));
    await Promise.all([spool.ack(first!), spool.ack(second!)]);
    expect(spool.points).toBe(8);
    expect(await spool.peek(8, first!.end)).toBeNull(); // behind the head now
    await spool.close();

    const again = new Spool({ dir, maxBytes: 1 << 20, segmentBytes: 300 });
    expect((await again.open()).points).toBe(8);
    expect(await drain(again)).toEqual(range(16, 24));
    await again.close();
  });

  it('keeps the sources of each batch', async () => {
    const spool = new Spool({ dir: spoolDir(), maxBytes: 1 << 20 });
    await spool.open();
    await spool.append(batch(0, 2, 'alpha'));
    await spool.append(batch(2, 2, 'beta'));
    const b = await spool.peek(10);
    expect(b?.sources.sort()).toEqual(['alpha', 'beta']);
    await spool.close();
  });

  it('survives a restart and resumes after the last acknowledged batch', async () => {
    const dir = spoolDir();
    const first = new Spool({ dir, maxBytes: 1 << 20, segmentBytes: 300 });
    await first.open();
    for (let i = 0; i < 6; i++) await first.append(batch(i * 4, 4));
    const head = await first.peek(8);
    await first.ack(head!);
    expect(seqOf(head!)).toEqual(range(0, 8));
    await first.close();

    const second = new Spool({ dir, maxBytes: 1 << 20, segmentBytes: 300 });
    expect((await second.open()).points).toBe(16);
    expect(await drain(second)).toEqual(range(8, 24));
    await second.close();
  });

  it('cuts off a record torn by a crash and keeps appending after the whole ones', async () => {
    const dir = spoolDir();
    const first = new Spool({ dir, maxBytes: 1 << 20 });
    await first.open();
    await first.append(batch(0, 3));
    await first.append(batch(3, 3));
    await first.close();
    const [segment] = readdirSync(dir).filter((f) => f.endsWith('.spool'));
    const file = path.join(dir, segment!);
    const whole = statSync(file).size;
    // What kill -9 in the middle of an append leaves: a header and part of a payload.
    appendFileSync(file, Buffer.concat([Buffer.from('HQS1'), Buffer.from([0, 0, 1, 0, 0, 0, 0, 9]), Buffer.alloc(20, 1)]));

    const second = new Spool({ dir, maxBytes: 1 << 20 });
    const report = await second.open();
    expect(report).toMatchObject({ points: 6, tornBytes: 32, damagedPoints: 0 });
    expect(statSync(file).size).toBe(whole);
    await second.append(batch(6, 2));
    expect(await drain(second)).toEqual(range(0, 8));
    await second.close();
  });

  it('cuts off bytes at the end that are not even a header, as damage rather than a torn append', async () => {
    const dir = spoolDir();
    const first = new Spool({ dir, maxBytes: 1 << 20 });
    await first.open();
    await first.append(batch(0, 3));
    await first.close();
    const file = path.join(dir, readdirSync(dir).find((f) => f.endsWith('.spool'))!);
    appendFileSync(file, Buffer.alloc(40, 7)); // not even a header
    const second = new Spool({ dir, maxBytes: 1 << 20 });
    expect(await second.open()).toMatchObject({ points: 3, tornBytes: 0, damagedBytes: 40 });
    expect(await drain(second)).toEqual([0, 1, 2]);
    await second.close();
  });

  it('when full, drops the oldest points, counts them, and keeps the newest', async () => {
    const spool = new Spool({ dir: spoolDir(), maxBytes: 4096 });
    await spool.open();
    let dropped = 0;
    for (let i = 0; i < 100; i++) dropped += await spool.append(batch(i * 5, 5));
    expect(dropped).toBeGreaterThan(0);
    expect(spool.droppedPoints).toBe(dropped);
    expect(spool.bytes).toBeLessThanOrEqual(4096);
    const left = await drain(spool, 1000);
    expect(left.length + dropped).toBe(500);
    // What is left is the newest run of points, in order.
    expect(left).toEqual(range(500 - left.length, 500));
    await spool.close();
  });

  it('drops a batch larger than the whole bound instead of spooling it', async () => {
    const spool = new Spool({ dir: spoolDir(), maxBytes: 200 });
    await spool.open();
    expect(await spool.append(batch(0, 50))).toBe(50);
    expect(spool.points).toBe(0);
    await spool.close();
  });

  it('ignores an acknowledgement of records it dropped meanwhile', async () => {
    const spool = new Spool({ dir: spoolDir(), maxBytes: 4096 });
    await spool.open();
    for (let i = 0; i < 10; i++) await spool.append(batch(i * 5, 5));
    const head = await spool.peek(5);
    for (let i = 10; i < 100; i++) await spool.append(batch(i * 5, 5)); // pushes the head out
    await spool.ack(head!);
    const left = await drain(spool, 1000);
    expect(left.at(-1)).toBe(499);
    expect(left.length + spool.droppedPoints).toBe(500);
    await spool.close();
  });
});
