import { performance } from 'node:perf_hooks';
import { sampleEveryInputs, seedCorpusEntries } from './constants.js';
import { describeError, newReport, record, sampleRss, type TargetReport } from './findings.js';
import { mutate } from './mutate.js';
import { hashString, Rng } from './rng.js';
import type { DecodeTarget } from './targets.js';
import { randomWire } from './wire-gen.js';

export interface DecodeRunOptions {
  readonly seed: number;
  readonly inputs: number;
  /** Stop early once this much time is spent on the target. */
  readonly seconds: number;
  /** One decode taking longer than this is a hang. */
  readonly hangMs: number;
  readonly outDir: string | null;
  /** Do not print findings (tests of the oracle itself). */
  readonly quiet?: boolean;
}

/**
 * The input at `index` of a target's sequence: a valid encoding (sometimes unmutated), a mutated
 * one, a random MessagePack tree, or random bytes. Each input has its own generator, seeded from
 * (seed, target, index), so one input is reproduced without replaying the others.
 */
export function inputAt(
  target: string,
  seed: number,
  index: number,
  corpus: readonly Uint8Array[],
): Uint8Array {
  const rng = new Rng(
    (hashString(target) ^ Math.imul(seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0,
  );
  const roll = rng.below(100);
  if (corpus.length > 0 && roll < 8) return rng.pick(corpus);
  if (corpus.length > 0 && roll < 72) return mutate(rng, rng.pick(corpus), corpus);
  if (roll < 88) {
    const wire = randomWire(rng, 1 + rng.below(4));
    return rng.chance(0.3) ? mutate(rng, wire, corpus) : wire;
  }
  return rng.bytes(rng.pick([0, 1, 2, 4, 9, 32, rng.below(600)]));
}

export function corpusOf(target: DecodeTarget, seed: number): Uint8Array[] {
  return target.seeds(new Rng(`${seed}:${target.name}:corpus`), seedCorpusEntries);
}

/** Runs one input through the oracle; returns the finding's kind and detail, or null when sound. */
export function check(
  target: DecodeTarget,
  input: Uint8Array,
  hangMs: number,
):
  | { outcome: 'accepted' | 'refused'; ms: number }
  | { kind: 'crash' | 'hang' | 'non-canonical'; detail: string; ms: number } {
  const start = performance.now();
  let value: unknown;
  try {
    value = target.decode(input);
  } catch (error) {
    const ms = performance.now() - start;
    if (!target.isTypedError(error)) return { kind: 'crash', detail: describeError(error), ms };
    if (ms > hangMs && slowAgain(target, input, hangMs)) {
      return { kind: 'hang', detail: `refused after ${ms.toFixed(1)} ms`, ms };
    }
    return { outcome: 'refused', ms };
  }
  const ms = performance.now() - start;
  if (ms > hangMs && slowAgain(target, input, hangMs)) {
    return { kind: 'hang', detail: `decoded after ${ms.toFixed(1)} ms`, ms };
  }
  if (target.encode !== undefined && value !== null) {
    let again: Uint8Array;
    try {
      again = target.encode(value);
    } catch (error) {
      return {
        kind: 'non-canonical',
        detail: `a decoded value does not re-encode: ${describeError(error)}`,
        ms,
      };
    }
    if (Buffer.compare(again, input) !== 0) {
      return { kind: 'non-canonical', detail: `re-encodes to ${again.length} other bytes`, ms };
    }
  }
  return { outcome: 'accepted', ms };
}

/**
 * A slow input is timed once more before it counts as a hang: on a shared machine one decode can
 * stall on a GC pause or a descheduled core; a real hang is slow every time.
 */
function slowAgain(target: DecodeTarget, input: Uint8Array, hangMs: number): boolean {
  const start = performance.now();
  try {
    target.decode(input);
  } catch {
    // The outcome was judged on the first run; only the time matters here.
  }
  return performance.now() - start > hangMs;
}

export function runDecodeTarget(target: DecodeTarget, options: DecodeRunOptions): TargetReport {
  const report = newReport(target.name, target.group);
  const corpus = corpusOf(target, options.seed);
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  for (let index = 0; index < options.inputs; index++) {
    if (index % sampleEveryInputs === 0) {
      sampleRss(report);
      if (performance.now() > deadline) break;
    }
    const input = inputAt(target.name, options.seed, index, corpus);
    const result = check(target, input, options.hangMs);
    report.inputs++;
    if (result.ms > report.maxMs) report.maxMs = result.ms;
    if ('outcome' in result) {
      if (result.outcome === 'accepted') report.accepted++;
      else report.refused++;
    } else {
      record(
        report,
        { kind: result.kind, seed: options.seed, index, detail: result.detail },
        input,
        options.outDir,
        options.quiet !== true,
      );
    }
  }
  sampleRss(report);
  report.seconds = (performance.now() - started) / 1000;
  return report;
}
