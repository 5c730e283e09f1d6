/**
 * Default bounds of the mempool, each named with its unit, sized for a validator on a 1 GB board.
 * The pool's memory is bounded by `mempoolMaxBytes` (transactions being checked count against it
 * too) plus the seen-cache (`mempoolCacheTxs` hashes of 32 bytes, a few hundred KiB with the map).
 */
import { maxTxBytes } from '../constants.js';

/** Most transactions held (admitted plus being checked): a quiet community needs far fewer. */
export const mempoolMaxTxs = 5_000;
/** Most transaction bytes held (admitted plus being checked): 16 MiB, under 2% of a 1 GB board. */
export const mempoolMaxBytes = 16 * 1024 * 1024;
/** Largest transaction admitted: the consensus limit, so every admitted tx fits in a block. */
export const mempoolMaxTxBytes = maxTxBytes;
/** Hashes kept in the LRU seen-cache (admitted, being checked or recently committed transactions). */
export const mempoolCacheTxs = 10_000;
/**
 * Most transactions of one sender held (admitted): one account cannot fill the pool. A meter
 * back-filling a month posts about 200 transactions at once, so this leaves room for it.
 */
export const mempoolMaxTxsPerSender = 256;
/**
 * Tasks of the mempool's lane (checks, mostly: ~0.1–0.3 ms each with the signature) run between two
 * turns of the host's event loop, when the host gives the mempool a way to yield (`yieldToHost`):
 * a backlog of admissions holds a proposal, a vote or a timeout back by a few milliseconds at
 * most. A block's update is one task: its recheck of every transaction held (≤ `mempoolMaxTxs`)
 * runs without a yield, as it did before the lane yielded.
 */
export const mempoolLaneTasksPerTurn = 8;
