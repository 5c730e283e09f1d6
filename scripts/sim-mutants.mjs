// `npm run sim:mutants [-- --only NAME[,NAME…]] [--keep] [--no-control] [--anchors-only] [--src DIR]`:
// the mutation check of @joule/consensus.
//
// For each mutation below it copies packages/consensus/src to a temporary directory, applies the
// mutation as a text patch (anchored on an exact snippet that must occur exactly once: a missing
// anchor stops the run loudly, it never passes silently), transpiles the copy with esbuild and runs
// the mutation's simulator checks on it (bounded seeds, stopping at the first failing seed). A
// mutation is caught when one check fails, and survives when all pass. The unmutated copy runs the
// same checks first: they must all pass there, or a "catch" would mean nothing. Exits 1 if any
// mutation survives (or the control fails), 2 on a broken anchor.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The simulator runs that catch mutations (each bounded; `--bail` stops at the first failing seed).
 * Seeds and modes are fixed: the run is deterministic.
 */
const checks = {
  // The lock attack with forged polRounds, at 4 and 7 validators.
  attack4: ['--mode', 'attack', '--validators', '4', '--seeds', '60', '--from', '1'],
  attack7: ['--mode', 'attack', '--validators', '7', '--seeds', '30', '--from', '1'],
  // Tight timeouts, nil-voters and a laggard the others need.
  tight4: ['--mode', 'tight', '--validators', '4', '--seeds', '30', '--from', '1'],
  tight7: ['--mode', 'tight', '--validators', '7', '--seeds', '15', '--from', '1'],
  // Two quorums in one round: exactly 1/3 Byzantine, and many small Byzantine validators.
  exactThird: ['--mode', 'exact-third', '--validators', '4', '--seeds', '30', '--from', '1'],
  doublePolkaUnequal: [
    '--mode',
    'double-polka',
    '--powers',
    '1,1,2,5',
    '--byzantine',
    '2',
    '--seeds',
    '20',
    '--from',
    '1',
  ],
  // Locks split by the network, then a nil-voting coalition.
  split4: ['--mode', 'lock-split', '--validators', '4', '--seeds', '30', '--from', '1'],
  split7: ['--mode', 'lock-split', '--validators', '7', '--seeds', '15', '--from', '1'],
  // Standard seeds (poison blocks, WAL loss, crashes); the proposer equivocators.
  standard4: ['--mode', 'standard', '--validators', '4', '--seeds', '60', '--from', '1', '--no-pruning'],
  walLoss4: [
    '--mode',
    'standard',
    '--validators',
    '4',
    '--byzantine',
    '0',
    '--seeds',
    '80',
    '--from',
    '1',
    '--wal-loss',
    '--no-pruning',
  ],
};

/** Each mutation: where, the exact snippet, its replacement, and the checks expected to catch it. */
const mutations = [
  {
    name: 'l28-no-pol-check',
    what: 'L28 without the check that the claimed proof of lock (+2/3 prevotes in polRound) exists',
    file: 'engine/machine.ts',
    find: '  if (!isQuorum(s.votes.power(VoteType.Prevote, p.polRound, p.value), total)) return false;\n',
    replace: '',
    checks: ['attack4', 'attack7'],
  },
  {
    name: 'no-l55-round-skip',
    what: 'no L55: a node never skips to a round that f+1 of the power is in',
    file: 'engine/machine.ts',
    find: '    if (l55(s, total, out)) continue;\n',
    replace: '',
    checks: ['tight4', 'tight7'],
  },
  {
    name: 'l49-current-round-only',
    what: 'L49 decides only on the current round’s precommits',
    file: 'engine/machine.ts',
    find: '  for (const [r, p] of s.proposals) {\n    if (p.valid && isQuorum(',
    replace:
      '  for (const [r, p] of s.proposals) {\n    if (r !== s.round) continue;\n    if (p.valid && isQuorum(',
    checks: ['tight4', 'tight7'],
  },
  {
    name: 'count-validators',
    what: 'tallies count validators instead of voting power',
    file: 'votes/weights.ts',
    find: '    powers.set(toHex(v.address), v.votingPower);\n    total += v.votingPower;',
    replace: '    powers.set(toHex(v.address), 1n);\n    total += 1n;',
    checks: ['doublePolkaUnequal'],
  },
  {
    name: 'repropose-pol-minus-1',
    what: 'the proposer re-proposes its valid value with polRound -1 instead of its validRound',
    file: 'engine/machine.ts',
    find: "out.push({ kind: 'propose', round, value: s.validValue, polRound: s.validRound });",
    replace: "out.push({ kind: 'propose', round, value: s.validValue, polRound: -1 });",
    checks: ['split4', 'split7'],
  },
  {
    name: 'quorum-at-least-two-thirds',
    what: 'a quorum is at least 2/3 of the power (instead of more than 2/3), everywhere',
    file: 'votes/weights.ts',
    find: '  return power * 3n > total * 2n;',
    replace: '  return power * 3n >= total * 2n;',
    also: [
      {
        file: 'block/commit.ts',
        find: '  if (power * 3n <= total * 2n) {',
        replace: '  if (power * 3n < total * 2n) {',
      },
    ],
    checks: ['exactThird'],
  },
  {
    name: 'l22-ignores-validity',
    what: 'L22 prevotes a fresh proposal whatever the application said of it',
    file: 'engine/machine.ts',
    find: '  const ok = p.valid && (s.lockedRound === -1 || s.lockedValue === p.value);',
    replace: '  const ok = s.lockedRound === -1 || s.lockedValue === p.value;',
    checks: ['standard4'],
  },
  {
    name: 'guard-does-not-persist',
    what: 'the double-sign guard signs without saving its state first',
    file: 'signer/guard.ts',
    find: '    await this.store.save(state);\n',
    replace: '',
    checks: ['walLoss4', 'guardTests'],
  },
  {
    name: 'guard-ignores-conflicts',
    what: 'the double-sign guard signs other sign bytes at its last signed position',
    file: 'signer/guard.ts',
    find: "        throw this.refusal('conflict', position, last);\n",
    replace: '',
    checks: ['walLoss4', 'guardTests'],
  },
  {
    name: 'keeper-two-votes',
    what: 'the vote keeper never counts a third value of one validator (tracked values ignored)',
    file: 'votes/vote-keeper.ts',
    find: "  if (tracked) return slot.counted.length < maxCountedVotesPerValidatorRoundType ? 'counted' : 'duplicate';",
    replace: "  if (tracked) return 'duplicate';",
    checks: ['equivocateMany'],
  },
];
// The package's own tests of the guard (vitest on the mutated copy): with a driver that halts when
// its WAL does not re-derive the guard's last vote, a lost WAL no longer reaches the guard's checks.
checks.guardTests = { test: 'src/signer/guard.test.ts' };
checks.equivocateMany = [
  '--kind',
  'equivocate-many',
  '--mode',
  'standard',
  '--validators',
  '4',
  '--seeds',
  '120',
  '--from',
  '1',
  '--no-pruning',
];

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'no-control': { type: 'boolean', default: false },
    'anchors-only': { type: 'boolean', default: false },
    src: { type: 'string' },
  },
});
// `--src DIR`: another copy of the package's sources (for example a merge being tried).
const src = resolve(values.src ?? join(root, 'packages/consensus/src'));
const only = values.only?.split(',');
const selected = mutations.filter((m) => only === undefined || only.includes(m.name));
if (only !== undefined && selected.length !== only.length) {
  console.error(`unknown mutation in --only; known: ${mutations.map((m) => m.name).join(', ')}`);
  process.exit(2);
}

/** A copy of the package's sources with `patches` applied, transpiled; returns its dist/sim/cli.js. */
async function prepare(label, patches, transpile = true) {
  const dir = mkdtempSync(join(tmpdir(), `joule-mutant-${label}-`));
  cpSync(src, join(dir, 'src'), { recursive: true });
  for (const { file, find, replace } of patches) {
    const path = join(dir, 'src', file);
    const text = readFileSync(path, 'utf8');
    const count = text.split(find).length - 1;
    if (count !== 1) {
      console.error(`mutation ${label}: anchor found ${count} times in ${file} (expected once):\n${find}`);
      process.exit(2);
    }
    writeFileSync(
      path,
      text.replace(find, () => replace),
    );
  }
  if (!transpile) return { dir, cli: '' };
  const entryPoints = walk(join(dir, 'src')).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  await build({
    entryPoints,
    outdir: join(dir, 'dist'),
    outbase: join(dir, 'src'),
    format: 'esm',
    platform: 'node',
    target: 'es2023',
    bundle: false,
    logLevel: 'error',
  });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { dir, cli: join(dir, 'dist/sim/cli.js') };
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** Runs one check; returns { failed, seconds, line } (line: the first failing seed's reason or test). */
function run({ dir, cli }, name) {
  const started = performance.now();
  const check = checks[name];
  if (!Array.isArray(check)) {
    const vitest = join(root, 'node_modules/vitest/vitest.mjs');
    const result = spawnSync(process.execPath, [vitest, 'run', check.test, '--root', dir], {
      cwd: dir,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, NO_COLOR: '1' },
    });
    const seconds = (performance.now() - started) / 1000;
    const failedTest = /FAIL .*? > (.*)/.exec(result.stdout + result.stderr)?.[1];
    return {
      failed: result.status !== 0,
      seconds,
      line:
        result.status === 0
          ? `${check.test} passes`
          : `${check.test}: ${failedTest ?? `exit ${result.status}`}`,
    };
  }
  const result = spawnSync(process.execPath, [cli, ...check, '--bail', '--json'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = (performance.now() - started) / 1000;
  let summary = null;
  try {
    summary = JSON.parse(result.stdout);
  } catch {
    return {
      failed: true,
      seconds,
      line: `the simulator crashed: ${(result.stderr || '').split('\n').slice(-5).join(' ')}`,
    };
  }
  const failure = summary.failures[0];
  return {
    failed: failure !== undefined,
    seconds,
    line: failure === undefined ? `${summary.seeds} seeds pass` : `seed ${failure.seed}: ${failure.reason}`,
  };
}

if (values['anchors-only']) {
  // Every anchor must be found exactly once (prepare exits 2 otherwise); nothing is built or run.
  for (const m of selected) {
    const { dir } = await prepare(
      m.name,
      [{ file: m.file, find: m.find, replace: m.replace }, ...(m.also ?? [])],
      false,
    );
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`${selected.length} mutations: every anchor found once in ${relative(root, src) || src}`);
  process.exit(0);
}

const started = performance.now();
const dirs = [];
let exit = 0;
if (!values['no-control']) {
  const control = await prepare('control', []);
  dirs.push(control.dir);
  const needed = [...new Set(selected.flatMap((m) => m.checks))];
  for (const name of needed) {
    const r = run(control, name);
    console.log(
      `control   ${name.padEnd(20)} ${r.failed ? 'FAILS' : 'passes'} (${r.seconds.toFixed(1)} s) ${r.line}`,
    );
    if (r.failed) exit = 1;
  }
  if (exit !== 0) console.log('the unmutated code fails a check: fix that first');
}
const results = [];
for (const m of selected) {
  const target = await prepare(m.name, [
    { file: m.file, find: m.find, replace: m.replace },
    ...(m.also ?? []),
  ]);
  dirs.push(target.dir);
  let caught = null;
  let seconds = 0;
  for (const name of m.checks) {
    const r = run(target, name);
    seconds += r.seconds;
    if (r.failed) {
      caught = { by: name, line: r.line };
      break;
    }
  }
  results.push({ name: m.name, caught });
  console.log(
    `${caught === null ? 'SURVIVED' : 'caught  '} ${m.name.padEnd(28)} ${seconds.toFixed(1).padStart(6)} s  ${caught === null ? `(${m.checks.join(', ')} all pass)` : `by ${caught.by}: ${caught.line}`}`,
  );
}
if (!values.keep) for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
else console.log(`kept: ${dirs.map((d) => relative(process.cwd(), d)).join(' ')}`);
const survived = results.filter((r) => r.caught === null).map((r) => r.name);
console.log(
  `${results.length - survived.length}/${results.length} mutations caught in ${((performance.now() - started) / 1000).toFixed(0)} s${survived.length > 0 ? `; survived: ${survived.join(', ')}` : ''}`,
);
process.exit(survived.length > 0 ? 1 : exit);
