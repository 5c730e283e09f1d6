import { type BlockId, blockIdCodec } from '../block/block-id.js';
import { address, height, round, signature, timeMs } from '../codec/fields.js';
import { type Codec, int, nullable, oneOf, struct } from '../codec/schema.js';
import { signBytes } from '../codec/sign-bytes.js';
import { domainTags, maxValidators } from '../constants.js';
import { sign, verifyCached } from '../crypto/ed25519.js';

/** Vote types, numbered as in CometBFT. */
export const VoteType = { Prevote: 1, Precommit: 2 } as const;
export type VoteType = (typeof VoteType)[keyof typeof VoteType];

/**
 * A prevote or precommit. `blockId` is `null` for a nil vote. `timestamp` (Unix ms) is the voter's
 * clock when it voted; precommit timestamps feed the next block's time.
 */
export interface Vote {
  readonly type: VoteType;
  readonly height: number;
  readonly round: number;
  readonly blockId: BlockId | null;
  readonly timestamp: number;
  readonly validatorAddress: Uint8Array;
  readonly validatorIndex: number;
  readonly signature: Uint8Array;
}

/** What a vote's signature covers: everything but the signer's identity and the signature itself. */
export interface CanonicalVote {
  readonly type: VoteType;
  readonly height: number;
  readonly round: number;
  readonly blockId: BlockId | null;
  readonly timestamp: number;
}

const voteType = oneOf([VoteType.Prevote, VoteType.Precommit]);

export const canonicalVoteCodec: Codec<CanonicalVote> = struct<CanonicalVote>('CanonicalVote', {
  type: voteType,
  height,
  round,
  blockId: nullable(blockIdCodec),
  timestamp: timeMs,
});

export const voteCodec: Codec<Vote> = struct<Vote>('Vote', {
  type: voteType,
  height,
  round,
  blockId: nullable(blockIdCodec),
  timestamp: timeMs,
  validatorAddress: address,
  validatorIndex: int(0, maxValidators - 1),
  signature,
});

export function voteSignBytes(chainId: string, vote: CanonicalVote): Uint8Array {
  const { type, height, round, blockId, timestamp } = vote;
  return signBytes(domainTags.vote, chainId, canonicalVoteCodec, { type, height, round, blockId, timestamp });
}

/** Signs an unsigned vote. Callers that are validators must consult their double-sign guard first. */
export function signVote(chainId: string, vote: Omit<Vote, 'signature'>, secretKey: Uint8Array): Vote {
  return { ...vote, signature: sign(secretKey, voteSignBytes(chainId, vote)) };
}

export function verifyVoteSignature(chainId: string, vote: Vote, publicKey: Uint8Array): boolean {
  return verifyCached(publicKey, voteSignBytes(chainId, vote), vote.signature);
}
