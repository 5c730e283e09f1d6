import { type BlockId, blockIdCodec } from '../block/block-id.js';
import { height, maxRound, round, signature, timeMs } from '../codec/fields.js';
import { type Codec, int, struct } from '../codec/schema.js';
import { signBytes } from '../codec/sign-bytes.js';
import { domainTags } from '../constants.js';
import { sign, verifyCached } from '../crypto/ed25519.js';

/**
 * A proposer's proposal of a block for (height, round). `polRound` is the round of the proof of
 * lock the proposer re-proposes from (the paper's validRound), or -1 for a fresh value.
 */
export interface Proposal {
  readonly height: number;
  readonly round: number;
  readonly polRound: number;
  readonly blockId: BlockId;
  readonly timestamp: number;
  readonly signature: Uint8Array;
}

export type CanonicalProposal = Omit<Proposal, 'signature'>;

const polRound = int(-1, maxRound);

export const canonicalProposalCodec: Codec<CanonicalProposal> = struct<CanonicalProposal>(
  'CanonicalProposal',
  {
    height,
    round,
    polRound,
    blockId: blockIdCodec,
    timestamp: timeMs,
  },
);

export const proposalCodec: Codec<Proposal> = struct<Proposal>('Proposal', {
  height,
  round,
  polRound,
  blockId: blockIdCodec,
  timestamp: timeMs,
  signature,
});

export function proposalSignBytes(chainId: string, proposal: CanonicalProposal): Uint8Array {
  const { height, round, polRound, blockId, timestamp } = proposal;
  return signBytes(domainTags.proposal, chainId, canonicalProposalCodec, {
    height,
    round,
    polRound,
    blockId,
    timestamp,
  });
}

export function signProposal(chainId: string, proposal: CanonicalProposal, secretKey: Uint8Array): Proposal {
  return { ...proposal, signature: sign(secretKey, proposalSignBytes(chainId, proposal)) };
}

export function verifyProposalSignature(chainId: string, proposal: Proposal, publicKey: Uint8Array): boolean {
  return verifyCached(publicKey, proposalSignBytes(chainId, proposal), proposal.signature);
}
