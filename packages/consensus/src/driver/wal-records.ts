import { decode, encode } from '../codec/canonical.js';
import { round } from '../codec/fields.js';
import { bool, type Codec, oneOf, string, struct, tagged, union } from '../codec/schema.js';
import { type Proposal, proposalCodec } from '../vote/proposal.js';
import {
  type ConsensusMessage,
  consensusMessageCodec,
  type ProposalMessage,
  proposalMessageCodec,
} from './messages.js';

/**
 * What the driver writes to the WAL for the current height: every input the engine processed, in
 * order. Replaying them through the same handlers rebuilds the height's state; the double-sign
 * guard returns the same signatures for the votes it re-derives.
 */
export type WalRecord =
  | { readonly kind: 'start' }
  | { readonly kind: 'message'; readonly peer: string; readonly message: ConsensusMessage }
  | { readonly kind: 'timeout'; readonly step: 'propose' | 'prevote' | 'precommit'; readonly round: number }
  /**
   * Written and fsynced just before the node signs: it makes every input that led to the signature
   * durable first, so a node that crashes after signing re-derives the same vote on replay (and the
   * guard hands back the same signature) instead of losing a vote it may already have sent.
   */
  | { readonly kind: 'signing'; readonly step: 'propose' | 'prevote' | 'precommit'; readonly round: number }
  /**
   * A proposal with its block and the verdict this node reached on the block (chain rules, evidence
   * and the application's `processProposal`). Replay takes the verdict from here and never asks the
   * application again: a verdict recomputed after a restart may differ (an application that
   * throws, or changed), and L36 locks only on a valid block, so the lock would be lost. The driver
   * writes it for a valid block only (`valid: true`); an invalid one gets `invalidProposal`. A
   * record with `valid: false` is still read, and replayed as an invalid value without its block.
   */
  | {
      readonly kind: 'proposal';
      readonly peer: string;
      readonly message: ProposalMessage;
      readonly valid: boolean;
    }
  /**
   * A correctly signed proposal whose block was found invalid: the engine's input (an invalid
   * value for the round) without the block, which is neither kept nor logged. The record is itself
   * the durable verdict: replay does not ask the application either.
   */
  | { readonly kind: 'invalidProposal'; readonly peer: string; readonly proposal: Proposal };

const emptyStruct = struct<Record<string, never>>('Empty', {});

export const walRecordCodec: Codec<WalRecord> = union<WalRecord>('WalRecord', {
  start: [1, tagged<{ kind: 'start' }>('start', emptyStruct)],
  message: [
    2,
    tagged<{ kind: 'message'; peer: string; message: ConsensusMessage }>(
      'message',
      struct('WalMessage', { peer: string(128), message: consensusMessageCodec }),
    ),
  ],
  timeout: [
    3,
    tagged<{ kind: 'timeout'; step: 'propose' | 'prevote' | 'precommit'; round: number }>(
      'timeout',
      struct('WalTimeout', { step: stepCodec(), round }),
    ),
  ],
  signing: [
    4,
    tagged<{ kind: 'signing'; step: 'propose' | 'prevote' | 'precommit'; round: number }>(
      'signing',
      struct('WalSigning', { step: stepCodec(), round }),
    ),
  ],
  proposal: [
    5,
    tagged<{ kind: 'proposal'; peer: string; message: ProposalMessage; valid: boolean }>(
      'proposal',
      struct('WalProposal', {
        peer: string(128),
        message: proposalMessageCodec,
        valid: bool,
      }),
    ),
  ],
  // Tag 5 stays `proposal` (with its verdict); `invalidProposal` takes the next free tag. A tag is
  // never reused for another record: a WAL written before stays readable.
  invalidProposal: [
    6,
    tagged<{ kind: 'invalidProposal'; peer: string; proposal: Proposal }>(
      'invalidProposal',
      struct('WalInvalidProposal', { peer: string(128), proposal: proposalCodec }),
    ),
  ],
});

function stepCodec(): Codec<'propose' | 'prevote' | 'precommit'> {
  const names = ['propose', 'prevote', 'precommit'] as const;
  const num = oneOf([1, 2, 3] as const);
  return {
    kind: 'timeoutStep',
    // A bijection between the names and 1..3: what is decoded encodes back to the same number.
    exact: true,
    toWire: (value, path) => num.toWire((names.indexOf(value) + 1) as 1 | 2 | 3, path),
    fromWire: (wire, path) => names[num.fromWire(wire, path) - 1] as 'propose' | 'prevote' | 'precommit',
  };
}

export function encodeWalRecord(record: WalRecord): Uint8Array {
  return encode(walRecordCodec, record);
}

export function decodeWalRecord(bytes: Uint8Array): WalRecord {
  return decode(walRecordCodec, bytes);
}
