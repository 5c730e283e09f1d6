import { type Commit, CommitFlag } from '../block/commit.js';
import type { ValidatorSet } from '../validators/validator-set.js';

/**
 * Block time is CometBFT's "BFT time": the voting-power-weighted median of the timestamps of the
 * precommits in the previous block's commit. Every validator recomputes it from the block's
 * lastCommit, so a proposer cannot choose it, and with less than 1/3 faulty power the median lies
 * between two correct validators' clocks. Correct validators stamp their votes later than the last
 * block time, which keeps block time strictly increasing.
 */
export function medianTime(commit: Commit, validators: ValidatorSet): number {
  const weighted: { time: number; power: bigint }[] = [];
  let total = 0n;
  commit.signatures.forEach((s, i) => {
    const v = validators.validators[i];
    if (s.flag === CommitFlag.Absent || v === undefined) return;
    weighted.push({ time: s.timestamp, power: v.votingPower });
    total += v.votingPower;
  });
  weighted.sort((a, b) => a.time - b.time);
  // The first time at which strictly more than half of the present power is at or below it.
  // (CometBFT's weightedMedian uses `<=`, which picks the lower middle: with three of four equal
  // validators present it returns the lowest timestamp, so one faulty clock would set the time.)
  let median = total / 2n;
  for (const w of weighted) {
    if (median < w.power) return w.time;
    median -= w.power;
  }
  return weighted.at(-1)?.time ?? 0;
}
