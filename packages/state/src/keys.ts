/**
 * The whole key layout of a Joule node's LevelDB database, in one place. One database holds the
 * chain store, the authenticated application state and the result index, so that a committed height
 * is one atomic batch. Every key starts with a one-byte prefix naming its table; integers in keys are
 * big-endian so that LevelDB's byte order is numeric order.
 *
 * | prefix | table           | key after the prefix                    | value                                   |
 * |--------|-----------------|-----------------------------------------|-----------------------------------------|
 * | 0x01   | meta            | one byte naming the entry (`metaKeys`)  | the entry, see below                    |
 * | 0x10   | block           | height (u64)                            | `Block` (canonical codec)               |
 * | 0x11   | commit          | height (u64)                            | `Commit`                                |
 * | 0x12   | block by hash   | block hash (32)                         | height (u64)                            |
 * | 0x13   | chain state     | (none: one record)                      | `ChainState`                            |
 * | 0x14   | validators      | height (u64)                            | `ValidatorSet` that signs that height   |
 * | 0x15   | block time      | height (u64)                            | the block's time, Unix ms (u64)         |
 * | 0x16   | committed evid. | evidence height (u64) ‖ address (20) ‖ round (u32) ‖ vote type (u8) | height of the including block (u64) |
 * | 0x17   | evidence vals.  | height (u64) at which the set changed   | `ValidatorSet`, proposer priorities 0   |
 * | 0x20   | tree node       | version (u64) ‖ depth (u8) ‖ path       | 16-slot tree node (`store/node`)        |
 * | 0x21   | tree root       | version (u64)                           | root slot of that version               |
 * | 0x22   | stale records   | stale-since version (u64)               | the keys no version ≥ that one needs    |
 * | 0x23   | latest state    | application key                         | application value at the last version   |
 * | 0x24   | tree value      | version (u64) ‖ SHA-256(key)            | the value that version wrote for the key |
 * | 0x30   | tx result       | tx hash (32)                            | height, index and `ExecTxResult`        |
 * | 0x31   | block results   | height (u64)                            | tx hashes and block events              |
 *
 * A tx result (0x30) is the transaction's first success, or else its latest failure (a committed
 * transaction may be included again and fail on its nonce; see `app/tx-index.ts`).
 *
 * A node key's path is the first `depth` nibbles of SHA-256(key) in ⌈depth / 2⌉ bytes, a last odd
 * nibble in the high half (the low half zero); depth runs from 0 to 63. A stale record's value is
 * the list of full database keys (tree nodes 0x20, tree values 0x24) that the version replaced,
 * each as a length byte and the key: pruning to a retain height R deletes them for every version ≤ R.
 *
 * Meta entries (prefix 0x01): 0x01 store version (u64, last committed height of the application
 * state), 0x02 store base (u64, lowest retained version), 0x03 chain height (u64), 0x04 chain base
 * (u64), 0x05 application info (chain id, initial height, last block time and the chain-wide limits),
 * 0x06 store layout (one byte: `storeLayout` of `store/versioned-store`, written with the first version),
 * 0x07 evidence base (u64, the lowest height whose evidence can still be valid).
 *
 * The evidence window: what verifying evidence reads is kept from the evidence base up, whatever
 * `retain_blocks` says, and trimmed in the batch of each block, in archive nodes as in pruning ones:
 * block times (0x15) from the base up; evidence validators (0x17) from the last change at or below
 * the base (one record per change of the set, not per height: the per-height sets of 0x14 carry
 * proposer priorities, which change every height, and are pruned with the blocks); a committed
 * misbehaviour (0x16) until the block at which its evidence expires.
 *
 * Application keys (inside table 0x23 and in the tree's leaves) start with the module's store
 * prefix, the length of its name in one byte and the name, then the table's name and a `/`:
 * `0x04 "bank" "b/" …` (`app/layout.ts`, `moduleTableKey`). The tree hashes SHA-256(application
 * key), so the tree layout does not depend on them; the latest-state table keeps them in key order
 * for prefix iteration.
 */

import { latin1 } from '@joule/consensus';
export const prefixes = {
  meta: 0x01,
  block: 0x10,
  commit: 0x11,
  blockByHash: 0x12,
  chainState: 0x13,
  validators: 0x14,
  blockTime: 0x15,
  committedEvidence: 0x16,
  evidenceValidators: 0x17,
  treeNode: 0x20,
  treeRoot: 0x21,
  staleRecords: 0x22,
  latestState: 0x23,
  treeValue: 0x24,
  txResult: 0x30,
  blockResults: 0x31,
} as const;

export const metaKeys = {
  storeVersion: 0x01,
  storeBase: 0x02,
  chainHeight: 0x03,
  chainBase: 0x04,
  appInfo: 0x05,
  storeLayout: 0x06,
  evidenceBase: 0x07,
} as const;

/** The key of meta entry `entry`. */
export function metaKey(entry: number): Uint8Array {
  return new Uint8Array([prefixes.meta, entry]);
}

/** `prefix ‖ rest`. */
export function prefixed(prefix: number, rest: Uint8Array): Uint8Array {
  const key = new Uint8Array(1 + rest.length);
  key[0] = prefix;
  key.set(rest, 1);
  return key;
}

/** The range `[prefix, prefix + 1)`: every key of a table. */
export function tableRange(prefix: number): { gte: Uint8Array; lt: Uint8Array } {
  return { gte: new Uint8Array([prefix]), lt: new Uint8Array([prefix + 1]) };
}

/** A u64 as 8 big-endian bytes. */
export function u64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  const high = Math.floor(n / 0x1_0000_0000);
  const low = n >>> 0;
  out[0] = high >>> 24;
  out[1] = (high >>> 16) & 0xff;
  out[2] = (high >>> 8) & 0xff;
  out[3] = high & 0xff;
  out[4] = low >>> 24;
  out[5] = (low >>> 16) & 0xff;
  out[6] = (low >>> 8) & 0xff;
  out[7] = low & 0xff;
  return out;
}

/** Reads a big-endian u64 at `offset` as a safe integer. */
export function readU64(bytes: Uint8Array, offset = 0): number {
  let n = 0;
  for (let i = 0; i < 8; i++) n = n * 256 + (bytes[offset + i] as number);
  return n;
}

/**
 * `bytes` as a string of one char per byte (latin1): a map key for byte strings, as consensus's
 * `bytesKey` — consensus's `latin1`, which makes a key of 64 bytes or less in JavaScript (no native
 * call on a small array V8 keeps on its heap, no argument list of the bytes).
 */
export function bytesId(bytes: Uint8Array): string {
  return latin1(bytes);
}

/** Concatenates byte strings. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The smallest key greater than every key that starts with `prefix` (for `lt` bounds). */
export function prefixEnd(prefix: Uint8Array): Uint8Array {
  const end = prefix.slice();
  for (let i = end.length - 1; i >= 0; i--) {
    if ((end[i] as number) < 0xff) {
      end[i] = (end[i] as number) + 1;
      return end.subarray(0, i + 1);
    }
  }
  return new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
}
