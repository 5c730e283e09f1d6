import { mkdir, mkdtemp, open, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JouleError } from '../errors.js';
import { FileWal } from './file-wal.js';
import { frameHeaderBytes, heightPayloadBytes } from './frame.js';
import { listSegments, segmentName } from './segments.js';

/**
 * A power cut at a random point: random appends (synced or fired and forgotten) and height
 * markers, then the last segment is cut at a random byte offset, possibly with garbage after the
 * cut (a torn write). Reopening must keep every record whose frame lies wholly before the cut,
 * cut off exactly the rest, and keep working; damage to an older segment must be `WAL_CORRUPT`.
 */
type Op = { kind: 'append'; size: number; sync: boolean } | { kind: 'mark'; next: boolean };
interface Frame {
  readonly end: number;
  readonly height: number; // 0 for data
  readonly payload: Uint8Array | null;
}

const arbOp: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('append' as const), size: fc.nat(300), sync: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('mark' as const), next: fc.boolean() }) },
);

let parent: string;
beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'joule-wal-prop-'));
});
afterAll(async () => {
  await rm(parent, { recursive: true, force: true });
});

let run = 0;

describe('FileWal under random crashes', () => {
  it('never loses a record before the cut and only ever throws typed errors', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(arbOp, { minLength: 1, maxLength: 40 }),
        fc.constantFrom(1, 300, 2000, 1 << 20),
        fc.integer({ min: 1, max: 4 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.uint8Array({ maxLength: 24 }),
        fc.option(fc.tuple(fc.nat(), fc.nat()), { nil: undefined }),
        async (ops, maxSegmentBytes, maxSegments, cutAt, garbage, damageOlder) => {
          const dir = join(parent, `run-${run++}`);
          await mkdir(dir);
          try {
            await check(dir, ops, { maxSegmentBytes, maxSegments }, cutAt, garbage, damageOlder);
          } catch (error) {
            // A failed expectation is reported as it is; anything else the log threw must be typed.
            if (!(error instanceof Error && error.name === 'AssertionError')) {
              expect(error, `untyped error: ${String(error)}`).toBeInstanceOf(JouleError);
            }
            throw error;
          } finally {
            await rm(dir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

async function check(
  dir: string,
  ops: readonly Op[],
  options: { maxSegmentBytes: number; maxSegments: number },
  cutAt: number,
  garbage: Uint8Array,
  damageOlder: [number, number] | undefined,
): Promise<void> {
  // Run the ops, and model the frames of the last segment as the documented rules place them.
  const wal = await FileWal.open({ dir, ...options });
  let frames: Frame[] = [];
  let size = 0;
  let height = 0;
  let counter = 0;
  for (const op of ops) {
    if (op.kind === 'append') {
      const payload = new Uint8Array(op.size).fill(counter++ & 0xff);
      const done = wal.append(payload, { sync: op.sync });
      if (op.sync) await done;
      size += frameHeaderBytes + op.size;
      frames.push({ end: size, height: 0, payload });
    } else {
      const target = op.next || height === 0 ? height + 1 : height;
      await wal.startHeight(target);
      if (target === height) continue;
      if (size >= options.maxSegmentBytes) {
        frames = [];
        size = 0;
      }
      height = target;
      size += frameHeaderBytes + heightPayloadBytes;
      frames.push({ end: size, height, payload: null });
    }
  }
  await wal.close();
  const segments = await listSegments(dir);
  expect(segments.length).toBeLessThanOrEqual(options.maxSegments);
  const last = join(dir, segmentName(segments[segments.length - 1] as number));
  expect((await stat(last)).size, 'the model places frames where the log does').toBe(size);

  if (damageOlder !== undefined && segments.length > 1) {
    const older = join(dir, segmentName(segments[damageOlder[0] % (segments.length - 1)] as number));
    const olderSize = (await stat(older)).size;
    if (olderSize > 0) {
      await flipByte(older, damageOlder[1] % olderSize);
      await expect(FileWal.open({ dir, ...options })).rejects.toMatchObject({
        code: 'WAL_CORRUPT',
        context: { file: older },
      });
      return;
    }
  }

  // The power cut: the last segment keeps a prefix, maybe followed by garbage.
  const cut = Math.floor(cutAt * size);
  const original = await readFile(last);
  await truncate(last, cut);
  if (garbage.length > 0) {
    // Garbage that happens to rewrite the bytes that were there is no tear at all: make it differ.
    const torn = garbage.slice();
    if (cut < size && torn[0] === original[cut]) torn[0] = (torn[0] as number) ^ 0xff;
    await writeFile(last, torn, { flag: 'a' });
  }
  const survivors = frames.filter((f) => f.end <= cut);
  const boundary = survivors.length > 0 ? (survivors[survivors.length - 1] as Frame).end : 0;

  const again = await FileWal.open({ dir, ...options });
  expect((await stat(last)).size, 'the torn tail is cut off exactly').toBe(boundary);
  expect(again.recovered.truncated === null).toBe(boundary === cut && garbage.length === 0);
  // Every height whose marker survived replays its surviving records.
  for (const [i, frame] of survivors.entries()) {
    if (frame.payload !== null) continue;
    const expected: Uint8Array[] = [];
    for (const next of survivors.slice(i + 1)) {
      if (next.payload === null) break;
      expected.push(next.payload);
    }
    expect(await again.replay(frame.height), `height ${frame.height}`).toEqual(expected);
  }
  // And the log carries on.
  const latest = [...survivors].reverse().find((f) => f.payload === null);
  const extra = new Uint8Array([1, 2, 3]);
  await again.append(extra, { sync: true });
  if (latest !== undefined && latest.height === height) {
    expect((await again.replay(height)).at(-1)).toEqual(extra);
  }
  await again.close();
}

async function flipByte(file: string, offset: number): Promise<void> {
  const handle = await open(file, 'r+');
  const byte = new Uint8Array(1);
  await handle.read(byte, 0, 1, offset);
  byte[0] = (byte[0] as number) ^ 0x01;
  await handle.write(byte, 0, 1, offset);
  await handle.close();
}
