import { parseArgs } from 'node:util';
import { type ByzantineKind, byzantineKinds } from './byzantine.js';
import { runScenario, type ScenarioMode, scenarioModes } from './scenario.js';
import { runSeeds } from './summary.js';

/**
 * `npm run sim -- --seeds N [--validators V] [--byzantine F] [--powers P,P,…] [--kind K]
 * [--mode M] [--from S] [--bail] [--json]` runs N seeded scenarios and prints a summary (with
 * counts per behaviour); `--seed S` replays one with a readable trace.
 */
const usage = `usage: npm run sim -- --seeds N [--validators V] [--byzantine F] [--powers 1,1,2,5] [--kind K] [--mode M] [--no-pruning] [--wal-loss] [--from S] [--bail] [--json]
       npm run sim -- --seed S [same options]
  --powers  the validators' voting powers (their number replaces --validators)
  --kind    every Byzantine validator behaves so: ${byzantineKinds.join(', ')}
  --mode    every seed is of this mode: ${scenarioModes.join(', ')}
  --no-pruning  no node prunes its blocks
  --wal-loss    every standard seed with room in the faulty budget has a node lose its WAL
  --bail    stop at the first seed that fails a check`;

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '100' },
    from: { type: 'string', default: '1' },
    seed: { type: 'string' },
    validators: { type: 'string', default: '4' },
    byzantine: { type: 'string' },
    powers: { type: 'string' },
    kind: { type: 'string' },
    mode: { type: 'string' },
    bail: { type: 'boolean', default: false },
    'no-pruning': { type: 'boolean', default: false },
    'wal-loss': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(usage);
  process.exit(0);
}
const fail = (message: string): never => {
  console.error(`${message}\n${usage}`);
  process.exit(2);
};
const int = (name: string, text: string, min: number, max: number): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    fail(`--${name} must be an integer in [${min}, ${max}], got "${text}"`);
  return n;
};
const powers =
  values.powers === undefined
    ? undefined
    : values.powers.split(',').map((p) => BigInt(int('powers', p.trim(), 1, 1_000_000)));
if (powers !== undefined && (powers.length < 1 || powers.length > 100))
  fail('--powers takes 1 to 100 powers');
const validators = powers?.length ?? int('validators', values.validators, 1, 100);
const byzantine = int(
  'byzantine',
  values.byzantine ?? String(Math.floor((validators - 1) / 3)),
  0,
  validators,
);
const kind = values.kind as ByzantineKind | undefined;
if (kind !== undefined && !(byzantineKinds as readonly string[]).includes(kind))
  fail(`--kind: unknown kind "${kind}"`);
const mode = values.mode as ScenarioMode | undefined;
if (mode !== undefined && !scenarioModes.includes(mode)) fail(`--mode: unknown mode "${mode}"`);
if (mode === 'exact-third' && powers !== undefined) fail('--mode exact-third sets the powers itself');
const extra = {
  ...(powers !== undefined ? { powers } : {}),
  ...(kind !== undefined ? { byzantineKind: kind } : {}),
  ...(mode !== undefined ? { mode } : {}),
  ...(values['no-pruning'] ? { pruning: false } : {}),
  ...(values['wal-loss'] ? { walLoss: true } : {}),
};

if (values.seed !== undefined) {
  const seed = int('seed', values.seed, 0, 2 ** 32 - 1);
  const result = await runScenario({ seed, validators, byzantine, trace: true, ...extra });
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else {
    for (const line of result.trace) console.log(line);
    const { trace: _t, ...rest } = result;
    console.log(JSON.stringify(rest, null, 2));
  }
  const failed =
    result.safetyViolations.length > 0 ||
    result.livenessFailure !== null ||
    result.validityViolations.length > 0 ||
    result.evidenceProblems.length > 0;
  process.exit(failed ? 1 : 0);
}

const count = int('seeds', values.seeds, 1, 1_000_000);
const from = int('from', values.from, 0, 2 ** 32 - 1);
let done = 0;
const summary = await runSeeds(
  from,
  count,
  validators,
  byzantine,
  () => {
    done++;
    if (!values.json && process.stderr.isTTY && done % 50 === 0)
      process.stderr.write(`\r${done}/${count} seeds`);
  },
  { ...extra, bail: values.bail },
);
if (!values.json && process.stderr.isTTY) process.stderr.write('\n');
console.log(values.json ? JSON.stringify(summary, null, 2) : formatSummary(summary));
process.exit(summary.failures.length > 0 ? 1 : 0);

function formatSummary(s: typeof summary): string {
  const lines = [
    `seeds             ${s.seeds} (from ${from}), validators ${s.validators}, byzantine ${s.byzantine}${s.powers === null ? '' : `, powers ${s.powers.join(',')}`}`,
    `safetyViolations  ${s.safetyViolations}`,
    `livenessFailures  ${s.livenessFailures} (not required in ${s.livenessNotRequired} exact-third seeds)`,
    `validityViolations ${s.validityViolations}`,
    `evidenceProblems  ${s.evidenceProblems}`,
    `heightsDecided    ${s.heightsDecided}`,
    `crashes           ${s.crashes} (${s.walLosses} with the WAL lost; ${s.halted} nodes stopped loudly)`,
    `messages          ${s.messages}`,
    `wall time         ${(s.wallMs / 1000).toFixed(1)} s`,
    'per behaviour     seeds failed safety liveness validity evidence',
  ];
  for (const [name, b] of Object.entries(s.behaviours))
    lines.push(
      `  ${name.padEnd(21)}${[b.seeds, b.failedSeeds, b.safetyViolations, b.livenessFailures, b.validityViolations, b.evidenceProblems].map((x) => String(x).padStart(7)).join('')}`,
    );
  for (const f of s.failures.slice(0, 20)) lines.push(`FAILED seed ${f.seed}: ${f.reason}`);
  return lines.join('\n');
}
