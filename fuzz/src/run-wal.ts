import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DecodeError, FileWal, WalCorruptError, WalError } from '@joule/consensus';
import { decodeWalRecord, encodeWalRecord } from '@joule/consensus/internal';
import { sampleEveryInputs } from './constants.js';
import { describeError, newReport, record, sampleRss, type TargetReport } from './findings.js';
import { mutate } from './mutate.js';
import { hashString, Rng } from './rng.js';
import * as v from './values.js';

export interface WalRunOptions {
  readonly seed: number;
  readonly inputs: number;
  readonly seconds: number;
  readonly hangMs: number;
  readonly outDir: string | null;
}

/** Heights a fuzzed log is replayed at (the template writes markers for 1–3). */
const replayHeights = [1, 2, 3, 7];

/**
 * A typed WAL failure: corruption, or `WAL_IO` caused by the file system itself (an errno).
 * `WAL_IO` wrapping anything else (a TypeError inside the reader) is a crash.
 */
function isTypedWalError(error: unknown): boolean {
  if (error instanceof WalCorruptError || error instanceof DecodeError) return true;
  if (error instanceof WalError && error.code === 'WAL_IO') {
    const cause = (error as { cause?: unknown }).cause as { code?: unknown } | undefined;
    return typeof cause?.code === 'string';
  }
  return error instanceof WalError;
}

/** Writes real segments with `FileWal` itself: the valid files the fuzzer mutates. */
async function templateSegments(
  dir: string,
  seed: number,
): Promise<{ base: number; segments: Uint8Array[] }> {
  const rng = new Rng(`${seed}:wal:template`);
  const wal = await FileWal.open({ dir, maxSegmentBytes: 2048 });
  for (const height of [1, 2, 3]) {
    await wal.startHeight(height);
    const n = 1 + rng.below(5);
    for (let i = 0; i < n; i++) await wal.append(encodeWalRecord(v.walRecord(rng)), { sync: i === n - 1 });
  }
  await wal.close();
  const names = (await readdir(dir)).filter((name) => name.startsWith('wal-')).sort();
  const base = Number(/^wal-(\d+)\.log$/.exec(names[0] ?? '')?.[1] ?? 0);
  const segments = await Promise.all(
    names.map(async (name) => new Uint8Array(await readFile(join(dir, name)))),
  );
  return { base, segments };
}

/**
 * The WAL's frame reader on files of mutated bytes: each input is a one- or two-segment log (the
 * mutation in the last segment, where a torn tail is repaired, or in an earlier one, where any
 * damage must be refused as corruption), opened and replayed at a few heights, each record decoded.
 */
export async function runWal(options: WalRunOptions): Promise<TargetReport> {
  const report = newReport('wal-file', 'codec');
  const root = await mkdtemp(join(tmpdir(), 'joule-fuzz-wal-'));
  try {
    const { base, segments } = await templateSegments(join(root, 'template'), options.seed);
    const first = segments[0] ?? new Uint8Array(0);
    const last = segments[segments.length - 1] ?? first;
    const started = performance.now();
    const deadline = started + options.seconds * 1000;
    const dir = join(root, 'log');
    await mkdir(dir, { recursive: true });
    for (let index = 0; index < options.inputs && performance.now() < deadline; index++) {
      const rng = new Rng(
        (hashString('wal-file') ^ Math.imul(options.seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>>
          0,
      );
      const damageEarlier = rng.chance(0.4);
      const mutated = mutate(rng, damageEarlier ? first : last, segments);
      const files = damageEarlier ? [mutated, last] : [mutated];
      // Rewrite the segments in place (opening repairs, so each input starts from its own bytes)
      // and remove any other file a previous input left.
      const names = files.map((_, i) => `wal-${String(base + i).padStart(6, '0')}.log`);
      for (const name of await readdir(dir))
        if (!names.includes(name)) await rm(join(dir, name), { force: true });
      for (const [i, bytes] of files.entries()) await writeFile(join(dir, names[i] as string), bytes);
      const t0 = performance.now();
      let outcome: 'accepted' | 'refused' = 'accepted';
      let crash: string | null = null;
      try {
        const wal = await FileWal.open({ dir });
        try {
          for (const height of replayHeights) {
            for (const entry of await wal.replay(height)) {
              try {
                decodeWalRecord(entry);
              } catch (error) {
                if (!(error instanceof DecodeError)) throw error;
                outcome = 'refused';
              }
            }
          }
        } finally {
          await wal.close();
        }
      } catch (error) {
        if (isTypedWalError(error)) outcome = 'refused';
        else crash = describeError((error as { cause?: unknown }).cause ?? error);
      }
      const ms = performance.now() - t0;
      report.inputs++;
      if (index % sampleEveryInputs === 0) sampleRss(report);
      if (ms > report.maxMs) report.maxMs = ms;
      const input = Uint8Array.from(Buffer.concat(files.map((f) => Buffer.from(f))));
      if (crash !== null) {
        record(report, { kind: 'crash', seed: options.seed, index, detail: crash }, input, options.outDir);
      } else if (ms > options.hangMs) {
        record(
          report,
          { kind: 'hang', seed: options.seed, index, detail: `${ms.toFixed(1)} ms` },
          input,
          options.outDir,
        );
      } else if (outcome === 'accepted') report.accepted++;
      else report.refused++;
    }
    report.seconds = (performance.now() - started) / 1000;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return report;
}
