import { parseArgs } from 'node:util';
import { environment, printTable, type SuiteResult, writeJson } from './report.js';
import { micro } from './suites/micro.js';
import { network } from './suites/network.js';
import { settlement } from './suites/settlement.js';
import { store } from './suites/store.js';

/**
 * `npm run bench -- <suite> [--json] [--out DIR] [--time MS]`; with no suite, lists them.
 * Figures are measurements of this machine, printed with its Node version and architecture.
 */
const suites: Record<string, { describe: string; run: (o: { timeMs: number }) => Promise<SuiteResult> }> = {
  micro: {
    describe: 'codec encode/decode, ed25519 sign/verify (noble and native), Merkle root of 1 000 txs',
    run: micro,
  },
  network: {
    describe:
      'LIC grid on libp2p over loopback: bytes per node per block and per hour (idle, 19 measures / 15 min), RSS of a host with 3 peers',
    run: network,
  },
  settlement: {
    describe:
      'month-end market settlement, 10 000 meters × 2 880 slots: pure function (total, memory) and on-chain per block at the hook budget',
    run: settlement,
  },
  store: {
    describe:
      'authenticated store on LevelDB: writes/s, commit of 1 000 / 10 000 writes, app-hash cost vs state size',
    run: store,
  },
};

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    json: { type: 'boolean', default: false },
    out: { type: 'string' },
    time: { type: 'string', default: '500' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

const name = positionals[0];
if (name === undefined || values.help) {
  console.log('usage: npm run bench -- <suite> [--json] [--out DIR] [--time MS per task]\n\nsuites:');
  for (const [key, suite] of Object.entries(suites)) console.log(`  ${key.padEnd(12)} ${suite.describe}`);
  process.exit(0);
}
const suite = suites[name];
if (suite === undefined) {
  console.error(`unknown suite "${name}"; run \`npm run bench\` for the list`);
  process.exit(2);
}
const timeMs = Number(values.time);
if (!Number.isInteger(timeMs) || timeMs < 10 || timeMs > 60_000) {
  console.error('--time must be an integer number of milliseconds between 10 and 60000');
  process.exit(2);
}

const result = await suite.run({ timeMs });
if (values.json) console.log(JSON.stringify({ ...result, environment: environment() }, null, 2));
else {
  console.log(
    Object.entries(environment())
      .map(([k, v]) => `${k}=${v}`)
      .join(' '),
  );
  printTable(result);
}
if (values.out !== undefined) console.error(`wrote ${writeJson(values.out, result)}`);
