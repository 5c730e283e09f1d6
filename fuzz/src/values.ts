import {
  type Block,
  type BlockId,
  type Commit,
  type CommitSig,
  type ConsensusMessage,
  type DuplicateVoteEvidence,
  type Proposal,
  publicKeyOf,
  type Vote,
} from '@joule/consensus';
import { makeBlock, makeDuplicateVoteEvidence, type WalRecord } from '@joule/consensus/internal';
import { type StoreProof, signTx, type TxMessage } from '@joule/state';
import type { Rng } from './rng.js';

/**
 * Valid structures drawn from a seed: what the fuzzer encodes with the code's own encoders and
 * then mutates. Signatures are random 64-byte strings: a decoder checks shape, not signatures.
 */
export const chainIdOf = 'fuzz-1';

const blockIdOf = (r: Rng): BlockId => ({ hash: r.bytes(32) });
const nullableBlockId = (r: Rng): BlockId | null => (r.chance(0.2) ? null : blockIdOf(r));
const heightOf = (r: Rng): number => r.pick([1, 2, 3, r.int(1, 1_000_000), 2 ** 53 - 1]);
const timeOf = (r: Rng): number => r.pick([0, 1_700_000_000_000 + r.below(1e9)]);

export function vote(r: Rng, at?: { height: number; round: number; type: 1 | 2 }): Vote {
  return {
    type: at?.type ?? (r.chance(0.5) ? 1 : 2),
    height: at?.height ?? heightOf(r),
    round: at?.round ?? r.pick([0, 1, r.below(100)]),
    blockId: nullableBlockId(r),
    timestamp: timeOf(r),
    validatorAddress: r.bytes(20),
    validatorIndex: r.below(10),
    signature: r.bytes(64),
  };
}

export function proposal(r: Rng): Proposal {
  return {
    height: heightOf(r),
    round: r.below(5),
    polRound: r.pick([-1, 0, 1]),
    blockId: blockIdOf(r),
    timestamp: timeOf(r),
    signature: r.bytes(64),
  };
}

export function commit(r: Rng, height = heightOf(r)): Commit {
  const signatures: CommitSig[] = [];
  const n = r.below(5);
  for (let i = 0; i < n; i++) {
    const flag = r.pick([1, 2, 3] as const);
    signatures.push(
      flag === 1
        ? { flag, validatorAddress: new Uint8Array(0), timestamp: 0, signature: new Uint8Array(0) }
        : { flag, validatorAddress: r.bytes(20), timestamp: timeOf(r), signature: r.bytes(64) },
    );
  }
  return { height, round: r.below(3), blockId: blockIdOf(r), signatures };
}

export function evidence(r: Rng): DuplicateVoteEvidence {
  const a = vote(r);
  const b: Vote = { ...a, blockId: blockIdOf(r), signature: r.bytes(64) };
  return makeDuplicateVoteEvidence(a, b);
}

export function block(r: Rng): Block {
  const height = r.pick([1, 2, r.int(2, 100_000)]);
  const txs: Uint8Array[] = [];
  const nTxs = r.below(4);
  for (let i = 0; i < nTxs; i++) txs.push(r.chance(0.5) ? tx(r) : r.bytes(1 + r.below(100)));
  return makeBlock(
    {
      chainId: chainIdOf,
      height,
      time: timeOf(r),
      lastBlockId: height === 1 ? null : blockIdOf(r),
      validatorsHash: r.bytes(32),
      nextValidatorsHash: r.bytes(32),
      appHash: r.bytes(32),
      lastResultsHash: r.bytes(32),
      proposerAddress: r.bytes(20),
    },
    txs,
    r.chance(0.2) ? [evidence(r)] : [],
    height === 1 ? null : commit(r, height - 1),
  );
}

export function consensusMessage(r: Rng): ConsensusMessage {
  switch (r.below(5)) {
    case 0:
      return { kind: 'proposal', proposal: proposal(r), block: block(r) };
    case 1:
      return { kind: 'vote', vote: vote(r) };
    case 2:
      return { kind: 'status', height: heightOf(r), round: r.below(4), step: r.pick([1, 2, 3, 4] as const) };
    case 3: {
      const b = block(r);
      return { kind: 'decision', block: b, commit: commit(r, b.header.height) };
    }
    default: {
      const votes: Vote[] = [];
      const n = r.below(6);
      for (let i = 0; i < n; i++) votes.push(vote(r));
      return { kind: 'votes', votes };
    }
  }
}

export function walRecord(r: Rng): WalRecord {
  const step = r.pick(['propose', 'prevote', 'precommit'] as const);
  switch (r.below(4)) {
    case 0:
      return { kind: 'start' };
    case 1:
      return { kind: 'message', peer: r.pick(['', '12D3KooWfuzz', 'self']), message: consensusMessage(r) };
    case 2:
      return { kind: 'timeout', step, round: r.below(5) };
    default:
      return { kind: 'signing', step, round: r.below(5) };
  }
}

/** A signed transaction (a real ed25519 key from the seed) carrying 1–3 opaque messages. */
export function tx(r: Rng): Uint8Array {
  const messages: TxMessage[] = [];
  const n = 1 + r.below(3);
  for (let i = 0; i < n; i++) {
    messages.push({
      type: r.pick(['bank/send', 'market/set_energy_measure', 'poa/add_validator']),
      value: r.bytes(r.below(80)),
    });
  }
  return signTx(r.bytes(32), {
    chainId: chainIdOf,
    nonce: r.below(1000),
    messages,
    memo: r.chance(0.3) ? 'fuzz' : '',
  });
}

export function storeProof(r: Rng): StoreProof {
  const levels = [];
  const n = r.below(6);
  for (let i = 0; i < n; i++) {
    const count = r.below(4);
    const siblings: Uint8Array[] = [];
    for (let k = 0; k < count; k++) siblings.push(r.bytes(32));
    levels.push({ bitmap: r.below(0x1_0000), siblings });
  }
  return { leaf: r.chance(0.3) ? null : { keyHash: r.bytes(32), valueHash: r.bytes(32) }, levels };
}

export function publicKey(r: Rng): Uint8Array {
  return publicKeyOf(r.bytes(32));
}
