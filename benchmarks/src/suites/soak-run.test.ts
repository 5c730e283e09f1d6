import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LicLoadRun } from '../lic/load.js';
import {
  checkpointReason,
  readRunFile,
  removeTemporaries,
  runFile,
  type SoakRun,
  writeFileAtomic,
  writeRunFile,
} from './soak-run.js';

const dir = mkdtempSync(join(tmpdir(), 'joule-soak-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A checkpoint of a run 40 ticks into 96: a sample whose heap scrape failed (NaN), no disk figures yet. */
function checkpoint(ticksDone: number): SoakRun {
  const run: LicLoadRun = {
    samples: [
      {
        name: 'node0',
        validator: true,
        samples: [
          {
            t: 1,
            rssBytes: 80e6,
            heapBytes: Number.NaN,
            cpuSeconds: 2,
            cpuPercent: 1.5,
            diskBytes: 4096,
            bytesIn: 10,
            bytesOut: 20,
          },
        ],
      },
    ],
    memory: [{ name: 'node0', anonymous: [[1, 30e6]], workingSet: [], holders: [] }],
    heights: [[1, 5]],
    loadStart: 0.5,
    loadEnd: 600,
    ticks: ticksDone,
    txs: ticksDone * 19,
    refused: 0,
    compress: 60,
    node0Disk: null,
    node0Height: 5,
  };
  return {
    run,
    snapshots: {
      node: 'node0',
      start: { t: 100, done: 104, file: join(dir, 'soak-start.heapsnapshot') },
      end: null,
      latest: { t: 400, done: 405, file: join(dir, 'soak-latest.heapsnapshot') },
    },
    launch: 'the bundle',
    retainBlocks: 400,
    partial: { ticksDone, ticksPlanned: 96, writtenAt: '2026-01-02T03:04:05.000Z', reason: checkpointReason },
  };
}

const leftovers = () => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

describe('the raw run on disk', () => {
  it('reads back a checkpoint as written: partial, its snapshots, NaN and null where they were', () => {
    const saved = checkpoint(40);
    writeRunFile(dir, saved);
    const read = readRunFile(dir);
    expect(read).toEqual(saved);
    expect(read.partial).toEqual({
      ticksDone: 40,
      ticksPlanned: 96,
      writtenAt: '2026-01-02T03:04:05.000Z',
      reason: 'checkpoint',
    });
    expect(read.run.samples[0]?.samples[0]?.heapBytes).toBeNaN();
    expect(read.run.node0Disk).toBeNull();
    expect(read.snapshots.end).toBeNull();
    expect(leftovers(), 'no temporary file stays behind').toEqual([]);
  });

  it('reads a complete run, saved without the partial mark or a latest snapshot, as complete', () => {
    const { partial: _, ...complete } = checkpoint(96);
    const old = { ...complete, snapshots: { node: 'node0', start: null, end: null } };
    writeRunFile(dir, old);
    const read = readRunFile(dir);
    expect(read.partial).toBeUndefined();
    expect(read.snapshots.latest).toBeUndefined();
    expect(read.run.ticks).toBe(96);
  });

  it('replaces the file in one step: until the rename a reader sees the whole old run', () => {
    writeRunFile(dir, checkpoint(40));
    const file = join(dir, runFile);
    let seen: SoakRun | undefined;
    let tmpHeld: SoakRun | undefined;
    writeFileAtomic(file, JSON.stringify(checkpoint(50)), (tmp) => {
      seen = readRunFile(dir);
      tmpHeld = JSON.parse(readFileSync(tmp, 'utf8')) as SoakRun;
    });
    expect(seen?.run.ticks, 'the old run, whole, while the new one is written').toBe(40);
    expect(tmpHeld?.run.ticks, 'the new run, whole, before the rename').toBe(50);
    expect(readRunFile(dir).run.ticks).toBe(50);
    expect(leftovers()).toEqual([]);
  });

  it('leaves the old file and no half file when a write fails', () => {
    writeRunFile(dir, checkpoint(40));
    expect(() =>
      writeFileAtomic(join(dir, runFile), JSON.stringify(checkpoint(60)), () => {
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect(readRunFile(dir).run.ticks).toBe(40);
    expect(leftovers()).toEqual([]);
  });

  it('removes what a run killed while writing left behind, and nothing else', () => {
    writeRunFile(dir, checkpoint(40));
    writeFileSync(join(dir, `.${runFile}.4242.tmp`), '{"run":');
    writeFileSync(join(dir, `.${runFile}.x.tmp`), 'not ours');
    writeFileSync(join(dir, 'notes.tmp'), 'not ours');
    expect(removeTemporaries(join(dir, runFile))).toEqual([`.${runFile}.4242.tmp`]);
    expect(readdirSync(dir).sort()).toEqual([`.${runFile}.x.tmp`, 'notes.tmp', runFile]);
    expect(readRunFile(dir).run.ticks).toBe(40);
  });
});
