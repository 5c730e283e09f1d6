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

/** Shares of the total budget: the HTTP API and the WAL's file reader are far slower per input. */
export const httpShare = { inputs: 0.02, seconds: 0.3 };
export const walShare = { inputs: 0.008, seconds: 0.12 };

/** Runs every target (or those matching `only`) within the budget, one after another. */
export async function fuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const match = (name: string): boolean => options.only === null || name.includes(options.only);
  const decoders = decodeTargets().filter((t) => match(t.name));
  const withHttp = match('http-api');
  const withWal = match('wal-file');
  const httpInputs = withHttp ? Math.max(1, Math.round(options.inputs * httpShare.inputs)) : 0;
  const walInputs = withWal ? Math.max(1, Math.round(options.inputs * walShare.inputs)) : 0;
  const httpSeconds = withHttp ? options.seconds * httpShare.seconds : 0;
  const walSeconds = withWal ? options.seconds * walShare.seconds : 0;
  let decodeInputs = options.inputs - httpInputs - walInputs;
  let decodeSeconds = options.seconds - httpSeconds - walSeconds;
  const targets: TargetReport[] = [];
  const done = (report: TargetReport): void => {
    targets.push(report);
    const bad = report.crashes + report.hangs + report.nonCanonical + report.unexpected5xx;
    options.log(
      `${report.target.padEnd(44)} ${String(report.inputs).padStart(8)} inputs  ${report.seconds.toFixed(1).padStart(5)} s  ${bad === 0 ? 'ok' : `${bad} FINDINGS`}`,
    );
  };
  for (const [i, target] of decoders.entries()) {
    const left = decoders.length - i;
    const inputs = Math.ceil(decodeInputs / left);
    const report = runDecodeTarget(target, {
      seed: options.seed,
      inputs,
      seconds: Math.max(0.05, decodeSeconds / left),
      hangMs: options.hangMs,
      outDir: options.outDir,
    });
    decodeInputs -= report.inputs;
    decodeSeconds -= report.seconds;
    done(report);
  }
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
    '| target | group | inputs | accepted | refused | crashes | hangs | non-canonical | unexpected 5xx | slowest ms | s |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const t of report.targets) {
    lines.push(
      `| ${t.target} | ${t.group} | ${t.inputs} | ${t.accepted} | ${t.refused} | ${t.crashes} | ${t.hangs} | ${t.nonCanonical} | ${t.unexpected5xx} | ${t.maxMs.toFixed(1)} | ${t.seconds.toFixed(1)} |`,
    );
  }
  const findings = report.targets.flatMap((t) => t.findings);
  if (findings.length > 0) {
    lines.push('', '## Findings', '');
    for (const f of findings) lines.push(`- ${f.target} #${f.index} (${f.kind}): ${f.detail}`);
  }
  return `${lines.join('\n')}\n`;
}
