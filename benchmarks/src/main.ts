import { figureTable, rowTables } from './output/markdown.js';
import { progress } from './output/progress.js';
import { defaultResultsDir, resultJson, writeResults } from './output/write.js';
import { environment, isUsageError, type Suite } from './report.js';
import { constrained, constrainedUsage } from './suites/constrained.js';
import { lic, licUsage } from './suites/lic.js';
import { micro } from './suites/micro.js';
import { network } from './suites/network.js';
import { settlement } from './suites/settlement.js';
import { soak, soakUsage } from './suites/soak.js';
import { store } from './suites/store.js';
import { throughputUsage } from './suites/throughput.js';
import { throughputWithFigures } from './suites/throughput-figures.js';

// To add a suite: import its run function above, add one entry here. lic, throughput and constrained go here.
const suites: Readonly<Record<string, Suite>> = {
  constrained: {
    describe:
      'one validator of the lic suite under a 1 GB-board profile (heap limit, small LevelDB caches, one CPU); --arm64: on the arm64 Node under qemu-user',
    usage: constrainedUsage,
    run: constrained,
  },
  lic: {
    describe:
      'the LIC load on real node processes (4 validators + 4 full nodes, 19 meters every 15 min, compressed time): RSS, heap, CPU, disk, bytes per node',
    usage: licUsage,
    run: lic,
  },
  micro: {
    describe:
      'codec, ed25519 sign/verify (noble and native), Merkle root of 1 000 txs, store blocks at 10k/100k keys, month settlement',
    usage: '[--slots N] [--only primitives|mempool|app-path]',
    run: micro,
  },
  network: {
    describe:
      'LIC grid on libp2p over loopback: bytes per node per block and per hour (idle, 19 measures / 15 min), RSS of a host with 3 peers',
    run: network,
  },
  settlement: {
    describe:
      'month-end market settlement, 10 000 meters × 2 880 slots: pure function (total, memory), on chain per block at two hook budgets (a month of 100 meters, scaled); a block of measure txs: CPU, state keys and bytes per measure',
    usage: '[--slots N]',
    run: settlement,
  },
  throughput: {
    describe:
      '4 validators as processes on loopback, open-loop setEnergyMeasure + bank txs at rising rates until saturation: committed tx/s, submit→commit p50/p99, block interval',
    usage: throughputUsage,
    run: throughputWithFigures,
  },
  soak: {
    describe:
      'the lic load for a long run (real time or a moderate compression) with heap snapshots of a validator after warm-up and at the end, compared by constructor; RSS and anonymous-memory slopes per real day with 95 % CIs',
    usage: soakUsage,
    run: soak,
  },
  store: {
    describe:
      'authenticated store on LevelDB: writes/s, commit of 1 000 / 10 000 writes, app-hash cost vs state size',
    run: store,
  },
};

const usage = `usage: npm run bench -- <suite> [--json] [--out DIR] [--time MS per task] [suite flags]

Results go to ${defaultResultsDir} (or --out DIR): <suite>.json, <suite>.md and <suite>-<plot>.svg.
--json prints the JSON on stdout (the Markdown then goes to stderr).`;

interface CommandLine {
  readonly name: string | undefined;
  readonly json: boolean;
  readonly out: string | undefined;
  readonly time: string;
  readonly help: boolean;
  /** Everything after the suite name that is not one of the flags above, for the suite. */
  readonly rest: readonly string[];
}

/**
 * `--json`, `--out DIR`, `--time MS` anywhere; `-h`/`--help` before the suite name (after it, it is the
 * suite's). Any other flag after the suite name is left to the suite, with its value.
 */
function parseCommandLine(argv: readonly string[]): CommandLine {
  let name: string | undefined;
  let json = false;
  let out: string | undefined;
  let time = '500';
  let help = false;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s) : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) fail(`${flag} needs a value`);
      return v;
    };
    if (flag === '--json') json = true;
    else if (flag === '--out') out = value();
    else if (flag === '--time') time = value();
    else if (name === undefined && (flag === '--help' || flag === '-h')) help = true;
    else if (name === undefined && !arg.startsWith('-')) name = arg;
    else if (name !== undefined) rest.push(arg);
    else fail(`unknown option "${arg}" before the suite name`);
  }
  return { name, json, out, time, help, rest };
}

function fail(message: string): never {
  console.error(`${message}; run \`npm run bench\` for the usage`);
  process.exit(2);
}

const cli = parseCommandLine(process.argv.slice(2));
if (cli.name === undefined || cli.help) {
  console.log(`${usage}\n\nsuites:`);
  for (const [key, suite] of Object.entries(suites)) {
    console.log(`  ${key.padEnd(12)} ${suite.describe}`);
    if (suite.usage !== undefined) console.log(`  ${''.padEnd(12)} flags: ${suite.usage}`);
  }
  process.exit(0);
}
const suite = suites[cli.name] ?? fail(`unknown suite "${cli.name}"`);
const timeMs = Number(cli.time);
if (!Number.isInteger(timeMs) || timeMs < 10 || timeMs > 60_000)
  fail('--time must be an integer number of milliseconds between 10 and 60000');

const env = environment();
console.error(
  Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join(' '),
);
const result = await suite
  .run({ timeMs, args: cli.rest, progress: (label, total) => progress(label, total) })
  .catch((error: unknown) => {
    // Flags a suite cannot parse are a usage error, not a crash.
    if (isUsageError(error)) fail(`${cli.name}: ${error.message}`);
    throw error;
  });
const written = writeResults(cli.out ?? defaultResultsDir, result, env);
for (const file of written.files) console.error(`wrote ${file}`);
// The measurements, then the figures against the paper and the targets last, where the eye lands.
const text = [`## ${result.suite}`, ...rowTables(result.rows)];
if (result.figures !== undefined && result.figures.length > 0) text.push(figureTable(result.figures));
if (cli.json) {
  process.stdout.write(resultJson(result, env));
  console.error(text.join('\n\n'));
} else console.log(text.join('\n\n'));
