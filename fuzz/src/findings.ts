import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { maxFindingHexBytes, maxFindingsPerTarget } from './constants.js';

/** What went wrong on one input. */
export type FindingKind = 'crash' | 'hang' | 'non-canonical' | 'unexpected-5xx' | 'down';

export interface Finding {
  readonly target: string;
  readonly kind: FindingKind;
  /** The run's seed and the input's index in the target's sequence. */
  readonly seed: number;
  readonly index: number;
  readonly detail: string;
  /** Hex of the input (its first 4 KiB; the whole input is in `file`). */
  readonly inputHex: string;
  /** Where the whole input was saved, if an output directory was given. */
  readonly file?: string;
}

/** Per target: inputs run, how they ended, and the first few findings. */
export interface TargetReport {
  readonly target: string;
  readonly group: string;
  inputs: number;
  /** Inputs that decoded (or HTTP requests answered 2xx). */
  accepted: number;
  /** Inputs refused with the target's typed error (or a 4xx, or a documented 5xx). */
  refused: number;
  crashes: number;
  hangs: number;
  nonCanonical: number;
  unexpected5xx: number;
  /** The slowest single input, in ms. */
  maxMs: number;
  /**
   * The process's resident memory at its highest while the target ran (sampled every 256 inputs),
   * MiB: a decoder that allocates what a huge declared length asks for shows here before it kills
   * the process.
   */
  peakRssMiB: number;
  seconds: number;
  /** HTTP only: how many answers of each status (0: closed without an answer). */
  statuses?: Record<string, number>;
  findings: Finding[];
}

export function newReport(target: string, group: string): TargetReport {
  return {
    target,
    group,
    inputs: 0,
    accepted: 0,
    refused: 0,
    crashes: 0,
    hangs: 0,
    nonCanonical: 0,
    unexpected5xx: 0,
    maxMs: 0,
    peakRssMiB: 0,
    seconds: 0,
    findings: [],
  };
}

/**
 * Counts a finding, prints it with its seed, target and index (the one-line reproduction), and
 * saves the input under `<outDir>/failures/`.
 */
export function record(
  report: TargetReport,
  finding: Omit<Finding, 'inputHex' | 'file' | 'target'>,
  input: Uint8Array,
  outDir: string | null,
  print = true,
): void {
  if (finding.kind === 'crash') report.crashes++;
  else if (finding.kind === 'hang') report.hangs++;
  else if (finding.kind === 'non-canonical') report.nonCanonical++;
  else if (finding.kind === 'down') report.crashes++;
  else report.unexpected5xx++;
  if (report.findings.length >= maxFindingsPerTarget) return;
  let file: string | undefined;
  if (outDir !== null) {
    const dir = join(outDir, 'failures');
    mkdirSync(dir, { recursive: true });
    file = join(
      dir,
      `${report.target.replace(/[^A-Za-z0-9_.-]/g, '_')}-${finding.seed}-${finding.index}.bin`,
    );
    writeFileSync(file, input);
  }
  const full: Finding = {
    ...finding,
    target: report.target,
    inputHex: Buffer.from(input.subarray(0, maxFindingHexBytes)).toString('hex'),
    ...(file === undefined ? {} : { file }),
  };
  report.findings.push(full);
  if (!print) return;
  process.stderr.write(
    `FUZZ ${full.kind} target=${full.target} seed=${full.seed} index=${full.index}: ${full.detail}\n` +
      `  input (${input.length} bytes): ${full.inputHex.slice(0, 400)}${full.inputHex.length > 400 ? '…' : ''}\n` +
      (file === undefined ? '' : `  saved: ${file}\n`),
  );
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message.slice(0, 300)}`;
  return `non-Error thrown: ${String(error).slice(0, 300)}`;
}

/** Samples the resident memory into `report.peakRssMiB`. */
export function sampleRss(report: TargetReport): void {
  const mib = process.memoryUsage.rss() / (1024 * 1024);
  if (mib > report.peakRssMiB) report.peakRssMiB = Math.round(mib);
}
