import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultHangMs, defaultInputs, defaultSeconds, httpHangMs } from './constants.js';
import { describeError } from './findings.js';
import { fuzz, renderMarkdown } from './fuzz.js';
import { check } from './run-decode.js';
import { decodeTargets } from './targets.js';

const usage = `npm run fuzz -- [options]
  --inputs N      inputs in total over every target (default 1000000)
  --seconds S     time budget in total (default 300)
  --seed S        the run's seed (default 1)
  --only NAME     only targets whose name contains NAME
  --hang-ms MS    a decode slower than this is a hang (default 250)
  --json          print the report as JSON on stdout
  --out DIR       write fuzz.json, fuzz.md and failing inputs under DIR
  --replay FILE   run one saved input through --only's decoder and print the outcome`;

const { values } = parseArgs({
  options: {
    inputs: { type: 'string', default: String(defaultInputs) },
    seconds: { type: 'string', default: String(defaultSeconds) },
    seed: { type: 'string', default: '1' },
    only: { type: 'string' },
    'hang-ms': { type: 'string', default: String(defaultHangMs) },
    json: { type: 'boolean', default: false },
    out: { type: 'string' },
    replay: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${text}"`);
  return n;
}

async function main(): Promise<number> {
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (values.replay !== undefined) {
    const target = decodeTargets().find((t) => t.name === values.only);
    if (target === undefined) throw new Error('--replay needs --only with the exact name of a decode target');
    const input = new Uint8Array(readFileSync(values.replay));
    const result = check(target, input, positive('hang-ms', values['hang-ms']));
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 'outcome' in result ? 0 : 1;
  }
  const outDir = values.out ?? null;
  const log = (line: string): void => {
    (values.json ? process.stderr : process.stdout).write(`${line}\n`);
  };
  const report = await fuzz({
    seed: Math.floor(positive('seed', values.seed)),
    inputs: Math.floor(positive('inputs', values.inputs)),
    seconds: positive('seconds', values.seconds),
    hangMs: positive('hang-ms', values['hang-ms']),
    httpHangMs,
    only: values.only ?? null,
    outDir,
    log,
  });
  const markdown = renderMarkdown(report);
  if (outDir !== null) {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'fuzz.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(outDir, 'fuzz.md'), markdown);
  }
  if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(`\n${markdown}`);
  return report.crashes + report.hangs + report.nonCanonical + report.unexpected5xx === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${describeError(error)}\n${usage}\n`);
    process.exitCode = 2;
  },
);
