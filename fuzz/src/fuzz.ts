import { httpShare, walShare } from './constants.js';
import type { TargetReport } from './findings.js';
import { runDecodeTarget } from './run-decode.js';
import { runHttp } from './run-http.js';
import { runWal } from './run-wal.js';
import { decodeTargets } from './targets.js';

export interface FuzzOptions {
  readonly seed: number;
  /** Inputs in total, over every target. */
  readonly inputs: number;
  /** Time budget in total; each target stops at its share. */
  readonly seconds: number;
  /** A decode slower than this is a hang. */
  readonly hangMs: number;
  /** A request not answered within this is a hang. */
  readonly httpHangMs: number;
  /** Only targets whose name contains this. */
  readonly only: string | null;
  /** Where failing inputs are saved (null: not saved). */
  readonly outDir: string | null;
  readonly log: (line: string) => void;
}

export interface FuzzReport {
  readonly seed: number;
  readonly requestedInputs: number;
  readonly budgetSeconds: number;
  readonly inputs: number;
  readonly crashes: number;
  readonly hangs: number;
  readonly nonCanonical: number;
  readonly unexpected5xx: number;
  readonly seconds: number;
  readonly targets: TargetReport[];
}

/** Runs every target (or those matching `only`) within the budget, one after another. */
export async function fuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const match = (name: string): boolean => options.only === null || name.includes(options.only);
  const decoders = decodeTargets().filter((t) => match(t.name));
  const withHttp = match('http-api');
  const withWal = match('wal-file');
  // With no decoder selected, the slow targets share the whole budget.
  const alone = decoders.length === 0 ? 1 / (Number(withHttp) + Number(withWal)) : 0;
  const share = (selected: boolean, part: number, total: number): number =>
    selected ? Math.max(1, Math.round(total * (alone > 0 ? alone : part))) : 0;
  const httpInputs = share(withHttp, httpShare.inputs, options.inputs);
  const walInputs = share(withWal, walShare.inputs, options.inputs);
  const httpSeconds = share(withHttp, httpShare.seconds, options.seconds);
  const walSeconds = share(withWal, walShare.seconds, options.seconds);
  const targets: TargetReport[] = [];
  const done = (report: TargetReport): void => {
    targets.push(report);
    const bad = report.crashes + report.hangs + report.nonCanonical + report.unexpected5xx;
    options.log(
      `${report.target.padEnd(44)} ${String(report.inputs).padStart(8)} inputs  ${report.seconds.toFixed(1).padStart(5)} s  ${bad === 0 ? 'ok' : `${bad} FINDINGS`}`,
    );
  };
  // The slow targets first: what they leave of the budget (inputs and time) goes to the decoders.
  if (withWal) {
    done(
      await runWal({
        seed: options.seed,
        inputs: walInputs,
        seconds: walSeconds,
        hangMs: options.hangMs * 10,
        outDir: options.outDir,
      }),
    );
  }
  if (withHttp) {
    done(
      await runHttp({
        seed: options.seed,
        inputs: httpInputs,
        seconds: httpSeconds,
        hangMs: options.httpHangMs,
        outDir: options.outDir,
      }),
    );
  }
  let decodeInputs = options.inputs - targets.reduce((total, t) => total + t.inputs, 0);
  let decodeSeconds = options.seconds - (performance.now() - started) / 1000;
  for (const [i, target] of decoders.entries()) {
    const left = decoders.length - i;
    const report = runDecodeTarget(target, {
      seed: options.seed,
      inputs: Math.ceil(decodeInputs / left),
      seconds: Math.max(0.05, decodeSeconds / left),
      hangMs: options.hangMs,
      outDir: options.outDir,
    });
    decodeInputs -= report.inputs;
    decodeSeconds -= report.seconds;
    done(report);
  }
  const sum = (key: 'inputs' | 'crashes' | 'hangs' | 'nonCanonical' | 'unexpected5xx'): number =>
    targets.reduce((total, t) => total + t[key], 0);
  return {
    seed: options.seed,
    requestedInputs: options.inputs,
    budgetSeconds: options.seconds,
    inputs: sum('inputs'),
    crashes: sum('crashes'),
    hangs: sum('hangs'),
    nonCanonical: sum('nonCanonical'),
    unexpected5xx: sum('unexpected5xx'),
    seconds: (performance.now() - started) / 1000,
    targets,
  };
}

export function renderMarkdown(report: FuzzReport): string {
  const lines = [
    '# Fuzz report',
    '',
    `Seed ${report.seed}: ${report.inputs.toLocaleString('en')} inputs in ${report.seconds.toFixed(0)} s ` +
      `(asked ${report.requestedInputs.toLocaleString('en')} within ${report.budgetSeconds} s). ` +
      `Crashes ${report.crashes}, hangs ${report.hangs}, non-canonical decodes ${report.nonCanonical}, ` +
      `unexpected 5xx ${report.unexpected5xx}.`,
    '',
    `Reproduce with \`npm run fuzz -- --seed ${report.seed}\` (add \`--only <target>\` for one target).`,
    '',
    '| target | group | inputs | accepted | refused | crashes | hangs | non-canonical | unexpected 5xx | slowest ms | peak RSS MiB | s |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const t of report.targets) {
    lines.push(
      `| ${t.target} | ${t.group} | ${t.inputs} | ${t.accepted} | ${t.refused} | ${t.crashes} | ${t.hangs} | ${t.nonCanonical} | ${t.unexpected5xx} | ${t.maxMs.toFixed(1)} | ${t.peakRssMiB} | ${t.seconds.toFixed(1)} |`,
    );
  }
  for (const t of report.targets) {
    if (t.statuses === undefined) continue;
    const counts = Object.entries(t.statuses).map(
      ([status, n]) => `${status === '0' ? 'dropped' : status} × ${n}`,
    );
    lines.push(
      '',
      `${t.target} answers: ${counts.join(', ')} (dropped: closed without an answer, as Node does for CONNECT).`,
    );
  }
  const findings = report.targets.flatMap((t) => t.findings);
  if (findings.length > 0) {
    lines.push('', '## Findings', '');
    for (const f of findings) lines.push(`- ${f.target} #${f.index} (${f.kind}): ${f.detail}`);
  }
  return `${lines.join('\n')}\n`;
}
