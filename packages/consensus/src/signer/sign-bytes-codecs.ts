import { chainId } from '../codec/fields.js';
import { type Codec, string, struct } from '../codec/schema.js';
import { type CanonicalProposal, canonicalProposalCodec } from '../vote/proposal.js';
import { type CanonicalVote, canonicalVoteCodec } from '../vote/vote.js';

/**
 * Decoders for sign bytes, which `codec/sign-bytes.ts` writes as `[domainTag, chainId, value]`:
 * a struct is a fixed-order array, so these structs read exactly those bytes. The guard decodes
 * the sign bytes it stored to tell a timestamp-only difference from a real conflict, and to check
 * on load that a stored state says what its sign bytes say.
 */
export interface SignedValue<T> {
  readonly tag: string;
  readonly chainId: string;
  readonly value: T;
}

const domainTag = string(64, /^[a-z0-9/._-]+$/);

export const voteSignBytesCodec: Codec<SignedValue<CanonicalVote>> = struct<SignedValue<CanonicalVote>>(
  'VoteSignBytes',
  { tag: domainTag, chainId, value: canonicalVoteCodec },
);

export const proposalSignBytesCodec: Codec<SignedValue<CanonicalProposal>> = struct<
  SignedValue<CanonicalProposal>
>('ProposalSignBytes', { tag: domainTag, chainId, value: canonicalProposalCodec });
