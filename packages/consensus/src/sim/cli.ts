import { parseArgs } from 'node:util';
import { runScenario } from './scenario.js';
import { runSeeds } from './summary.js';

/**
 * `npm run sim -- --seeds N [--validators V] [--byzantine F] [--from S] [--json]` runs N seeded
 * scenarios and prints a summary; `--seed S` replays one with a readable trace.
 */
const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '100' },
    from: { type: 'string', default: '1' },
    seed: { type: 'string' },
    validators: { type: 'string', default: '4' },
    byzantine: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(
    'usage: npm run sim -- --seeds N [--validators V] [--byzantine F] [--from S] [--json]\n       npm run sim -- --seed S [--validators V] [--byzantine F]',
  );
  process.exit(0);
}
const int = (name: string, text: string, min: number, max: number): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`--${name} must be an integer in [${min}, ${max}], got "${text}"`);
    process.exit(2);
  }
  return n;
};
const validators = int('validators', values.validators, 1, 100);
const byzantine = int(
  'byzantine',
  values.byzantine ?? String(Math.floor((validators - 1) / 3)),
  0,
  validators,
);

if (values.seed !== undefined) {
  const seed = int('seed', values.seed, 0, 2 ** 32 - 1);
  const result = await runScenario({ seed, validators, byzantine, trace: true });
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else {
    for (const line of result.trace) console.log(line);
    const { trace: _t, ...rest } = result;
    console.log(JSON.stringify(rest, null, 2));
  }
  process.exit(result.safetyViolations.length > 0 || result.livenessFailure !== null ? 1 : 0);
}

const count = int('seeds', values.seeds, 1, 1_000_000);
const from = int('from', values.from, 0, 2 ** 32 - 1);
let done = 0;
const summary = await runSeeds(from, count, validators, byzantine, () => {
  done++;
  if (!values.json && process.stderr.isTTY && done % 50 === 0)
    process.stderr.write(`\r${done}/${count} seeds`);
});
if (!values.json && process.stderr.isTTY) process.stderr.write('\n');
console.log(values.json ? JSON.stringify(summary, null, 2) : formatSummary(summary));
process.exit(summary.failures.length > 0 ? 1 : 0);

function formatSummary(s: typeof summary): string {
  const lines = [
    `seeds             ${s.seeds} (from ${from}), validators ${s.validators}, byzantine ${s.byzantine}`,
    `safetyViolations  ${s.safetyViolations}`,
    `livenessFailures  ${s.livenessFailures}`,
    `validityViolations ${s.validityViolations}`,
    `evidenceProblems  ${s.evidenceProblems}`,
    `heightsDecided    ${s.heightsDecided}`,
    `crashes           ${s.crashes}`,
    `messages          ${s.messages}`,
    `wall time         ${(s.wallMs / 1000).toFixed(1)} s`,
  ];
  for (const f of s.failures.slice(0, 20)) lines.push(`FAILED seed ${f.seed}: ${f.reason}`);
  return lines.join('\n');
}
