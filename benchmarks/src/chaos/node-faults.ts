import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addressOf, fromHex, toHex } from '@joule/consensus';
import { applyOverrides, type ConfigOverrides, homePaths, parseConfig, renderConfig } from '@joule/node';
import type { SmallDisk } from './disk.js';
import { type Harness, type Outcome, outcome, sleep } from './harness.js';

/** How long a skewed clock is kept, ms (drawn from the range). */
const skewHoldMs: readonly [number, number] = [10_000, 20_000];
/** How far a skewed clock is off, minutes (either way). */
const skewMinutes: readonly [number, number] = [1, 10];
/** How long a node whose disk is full has to stop by itself, ms (it writes every block). */
const diskFullStopMs = 60_000;
/** Each node's data directory is a file system this large when a run has full-disk faults. */
export const smallDiskBytes = 256 * 1024 * 1024;

async function setConfig(home: string, overrides: ConfigOverrides): Promise<void> {
  const path = homePaths(home).config;
  const config = parseConfig(await readFile(path, 'utf8'), path);
  await writeFile(path, renderConfig(applyOverrides(config, overrides, path)), { mode: 0o600 });
}

/** Whether a validator's precommit is in one of the network's last `n` commits (from node `from`). */
async function signedRecently(h: Harness, validator: number, from: number, n: number): Promise<boolean> {
  const status = await h.observers[validator]?.status();
  if (status === undefined) return false;
  const address = toHex(addressOf(fromHex(status.validator_info.pub_key))).toLowerCase();
  const top = await h.heightOf(from);
  for (let k = top; k > Math.max(0, top - n); k--) {
    const c = await h.observers[from]?.commit(k).catch(() => null);
    const sigs = (c?.signed_header.commit.signatures ?? []) as {
      block_id_flag: number;
      validator_address: string;
    }[];
    if (sigs.some((s) => s.block_id_flag === 2 && s.validator_address.toLowerCase() === address)) return true;
  }
  return false;
}

/**
 * Clock skew: a random node restarted with its clock minutes ahead or behind (`[testing]
 * clock_offset_ms`), kept so for a while, then restarted with the right time. Block times must keep
 * increasing (checked over the whole ledger) and the node must keep up; a skewed validator's
 * precommits must still be in the commits.
 */
export async function clockSkew(h: Harness): Promise<Outcome> {
  const node = h.rng.pick(h.net.nodes);
  const i = node.index;
  const minutes = h.rng.int(skewMinutes[0], skewMinutes[1]) * (h.rng.int(0, 1) === 0 ? -1 : 1);
  const hold = h.rng.int(skewHoldMs[0], skewHoldMs[1]);
  const t = h.now();
  h.down.add(i);
  await h.net.stopNode(i);
  await setConfig(node.home, { testing: { clock_offset_ms: minutes * 60_000 } });
  await h.net.startNode(i);
  h.down.delete(i);
  const startT = h.now();
  const joinedS = await h.rejoin(i, startT);
  await sleep(hold);
  const signed = node.validator ? await signedRecently(h, i, i === 0 ? 1 : 0, 5) : null;
  await h.sampleHeights();
  const lag = h.networkHeight(i) - (h.latest[i] as number);
  h.down.add(i);
  await h.net.stopNode(i);
  await setConfig(node.home, { testing: { clock_offset_ms: 0 } });
  const healT = h.now();
  await h.net.startNode(i);
  h.down.delete(i);
  const rejoinS = await h.rejoin(i, healT);
  const failures: string[] = [];
  if (joinedS === null) failures.push('did not keep up while skewed');
  if (signed === false) failures.push('no precommit of it in the last 5 commits while skewed');
  return outcome({
    node: node.name,
    validator: node.validator,
    t,
    healT,
    rejoinS,
    failure: failures.length === 0 ? null : failures.join('; '),
    detail: `clock ${minutes > 0 ? '+' : ''}${minutes} min for ${(hold / 1000).toFixed(1)} s; ${lag} behind${signed === null ? '' : signed ? ', signing' : ', NOT signing'}`,
  });
}

/**
 * Full disk: a random node's data directory (a `smallDisk` of its own since the start) filled to
 * the last byte under the load; the node must stop by itself with `DISK_FULL` naming a file of its
 * data directory (never run on half-written); then the space is freed, and the node started again
 * must lose nothing and rejoin.
 */
export async function diskFull(h: Harness, cycle: number, disks: readonly SmallDisk[]): Promise<Outcome> {
  const node = h.rng.pick(h.net.nodes);
  const i = node.index;
  const disk = disks[i];
  if (disk === undefined) throw new Error(`${node.name} has no small disk`);
  const dataDir = join(node.home, 'data');
  let seen = await h.heightOf(i).catch(() => h.latest[i] as number);
  const logBefore = (await readFile(node.log, 'utf8').catch(() => '')).length;
  const t = h.now();
  const filler = await disk.fill();
  const deadline = performance.now() + diskFullStopMs;
  while (h.net.running(i) && performance.now() < deadline) {
    seen = Math.max(seen, await h.heightOf(i).catch(() => seen));
    await sleep(250);
  }
  const stopped = !h.net.running(i);
  h.down.add(i);
  if (!stopped) await h.net.stopNode(i);
  const log = (await readFile(node.log, 'utf8').catch(() => '')).slice(logBefore);
  const line = log.split('\n').find((l) => l.includes('DISK_FULL')) ?? null;
  await disk.free();
  const { healT, manualRepair, after, lostBlocks, rejoinS } = await h.restartAndRejoin(i, cycle, seen);
  const failures: string[] = [];
  if (!stopped) failures.push(`still running ${diskFullStopMs / 1000} s after its disk filled`);
  else if (line === null || !line.includes(dataDir))
    failures.push('stopped without a DISK_FULL line naming its data directory');
  return outcome({
    node: node.name,
    validator: node.validator,
    t,
    healT,
    rejoinS,
    lostBlocks,
    manualRepair,
    failure: failures.length === 0 ? null : failures.join('; '),
    detail: `${disk.kind} filled (${Math.round(filler / 1024)} KiB); ${stopped ? 'stopped' : 'did not stop'} at height ${seen}; ${after} after the space was freed`,
  });
}
