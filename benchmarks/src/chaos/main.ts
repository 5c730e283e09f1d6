import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { rowTables } from '../output/markdown.js';
import { progress } from '../output/progress.js';
import { defaultResultsDir, resultJson, writeResults } from '../output/write.js';
import { environment } from '../report.js';
import { chaosResult } from './result.js';
import { type FaultKind, faultKinds, processFaults, runChaos } from './run.js';

const usage = `usage: npm run chaos -- [--faults LIST] [--cycles N] [--seed S] [--json] [--out DIR]
                        [--pause-ms MIN-MAX] [--compress X] [--base-port P] [--keep DIR]
                        [--wal-segment-kib N]

Starts the LIC network (8 node processes, 4 validators) under the meters' load and injects one
fault per cycle, chosen in turn from --faults (default: ${processFaults.join(',')}; all:
${faultKinds.join(',')}), each drawn from --seed; checks the invariants after every cycle and
from every store at the end.
Results: chaos.json, chaos.md, chaos-heights.svg, chaos-injections.json in --out
(default ${defaultResultsDir}). Progress and events go to stderr.`;

function fail(message: string): never {
  console.error(`${message}\n\n${usage}`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      args: process.argv.slice(2),
      options: {
        faults: { type: 'string' },
        cycles: { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'boolean' },
        out: { type: 'string' },
        'pause-ms': { type: 'string' },
        compress: { type: 'string' },
        'base-port': { type: 'string' },
        keep: { type: 'string' },
        'wal-segment-kib': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return fail((error as Error).message);
  }
})();
if (values.help === true) {
  console.log(usage);
  process.exit(0);
}

const int = (text: string | undefined, flag: string, min: number, max: number, fallback: number): number => {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${flag} must be an integer from ${min} to ${max}`);
  return n;
};
const faults = (values.faults === 'all' ? faultKinds.join(',') : (values.faults ?? processFaults.join(',')))
  .split(',')
  .map((f) => f.trim());
for (const f of faults)
  if (!(faultKinds as readonly string[]).includes(f))
    fail(`unknown fault "${f}"; the faults are ${faultKinds.join(', ')} (or all)`);
const pause = /^(\d+)(?:-(\d+))?$/.exec(values['pause-ms'] ?? '30000-120000');
if (pause === null) fail('--pause-ms takes MS or MIN-MAX');
const pauseMs: [number, number] = [Number(pause[1]), Number(pause[2] ?? pause[1])];
if (pauseMs[0] > pauseMs[1] || pauseMs[0] < 100) fail('--pause-ms: MIN ≤ MAX, at least 100');
const seed = int(values.seed, 'seed', 0, 2 ** 31, 1);
const cycles = int(values.cycles, 'cycles', 1, 100_000, 20);
const out = values.out ?? defaultResultsDir;

const env = environment();
console.error(
  Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join(' '),
);
const run = await runChaos({
  faults: faults as FaultKind[],
  cycles,
  seed,
  pauseMs,
  nodes: 8,
  validators: 4,
  basePort: int(values['base-port'], 'base-port', 1024, 65_000, 29_400),
  compress: int(values.compress, 'compress', 1, 3600, 300),
  rejoinTimeoutMs: 90_000,
  progress: (label, total) => progress(label, total),
  log: (line) => console.error(line),
  ...(values.keep === undefined ? {} : { keepDir: values.keep }),
  ...(values['wal-segment-kib'] === undefined
    ? {}
    : { walSegmentBytes: int(values['wal-segment-kib'], 'wal-segment-kib', 64, 1_048_576, 4096) * 1024 }),
});
const result = chaosResult(run, { seed, faults });
const written = writeResults(out, result, env);
const injections = join(out, 'chaos-injections.json');
writeFileSync(injections, `${JSON.stringify(run.injections, null, 1)}\n`);
for (const file of [...written.files, injections]) console.error(`wrote ${file}`);
const text = ['## chaos', ...rowTables(result.rows)].join('\n\n');
if (values.json === true) {
  process.stdout.write(resultJson(result, env));
  console.error(text);
} else console.log(text);
