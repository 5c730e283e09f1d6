import { type Harness, type Outcome, outcome, sleep } from './harness.js';
import {
  lastLevelRecord,
  lastWalFrame,
  newestLevelLog,
  newestWalSegment,
  type Tear,
  tearFile,
  tearKinds,
} from './torn.js';

/**
 * Power loss: SIGKILL of a random node (validators included) close to a commit, then a restart.
 * With `torn`, the tail of the WAL, of the LevelDB log or of both is torn before the restart.
 */
export async function powerLoss(h: Harness, cycle: number, torn: boolean): Promise<Outcome> {
  const node = h.rng.pick(h.net.nodes);
  const i = node.index;
  const seen = await h.nearCommit(i);
  const t = h.now();
  h.down.add(i);
  await h.kill(i);
  const tears: Tear[] = [];
  if (torn) {
    const wal = await newestWalSegment(node.home);
    const level = await newestLevelLog(node.home);
    // Either log, or both: a power cut tears whatever was being written.
    const which = h.rng.int(0, 2);
    if (wal !== null && which !== 1) {
      const tear = await tearFile(wal, lastWalFrame, h.rng.pick(tearKinds), h.rng);
      if (tear !== null) tears.push(tear);
    }
    if (level !== null && which !== 0) {
      const tear = await tearFile(level, lastLevelRecord, h.rng.pick(tearKinds), h.rng);
      if (tear !== null) tears.push(tear);
    }
  }
  const { healT, manualRepair, after, lostBlocks, rejoinS } = await h.restartAndRejoin(i, cycle, seen);
  const detail = [
    `height ${seen} → ${after} after restart`,
    ...tears.map((x) => `${x.kind} ${x.bytes} B of ${x.file.split('/').slice(-2).join('/')}`),
  ].join('; ');
  return outcome({
    node: node.name,
    validator: node.validator,
    t,
    healT,
    rejoinS,
    lostBlocks,
    manualRepair,
    detail,
  });
}

/** Pause: SIGSTOP of a random validator for `pauseMs` (drawn from the range), then SIGCONT. */
export async function pause(h: Harness, pauseMs: readonly [number, number]): Promise<Outcome> {
  const node = h.rng.pick(h.net.nodes.filter((n) => n.validator));
  const i = node.index;
  const ms = h.rng.int(pauseMs[0], pauseMs[1]);
  const t = h.now();
  h.down.add(i);
  h.signal(i, 'SIGSTOP');
  await sleep(ms);
  h.signal(i, 'SIGCONT');
  const healT = h.now();
  h.down.delete(i);
  const rejoinS = await h.rejoin(i, healT);
  return outcome({
    node: node.name,
    validator: true,
    t,
    healT,
    rejoinS,
    detail: `stopped ${(ms / 1000).toFixed(1)} s`,
  });
}
