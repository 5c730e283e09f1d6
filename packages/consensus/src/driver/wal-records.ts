import { decode, encode } from '../codec/canonical.js';
import { round } from '../codec/fields.js';
import { type Codec, oneOf, string, struct, tagged, union } from '../codec/schema.js';
import { type Proposal, proposalCodec } from '../vote/proposal.js';
import { type ConsensusMessage, consensusMessageCodec } from './messages.js';

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
   * A correctly signed proposal whose block was found invalid: the engine's input (an invalid
   * value for the round) without the block, which is neither kept nor logged.
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
  invalidProposal: [
    5,
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
