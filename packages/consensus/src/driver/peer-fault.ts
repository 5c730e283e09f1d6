import type { PeerId } from './transport.js';

/**
 * What the network layer does about a peer whose message the driver refused (Lodestar's gossip
 * validation actions):
 * - `reject`: the peer sent what no honest node sends (bytes whose signature or signer does not
 *   check, a proposal whose block is not the one signed, a decision whose commit does not verify):
 *   it pays. Honest nodes check these before they relay, so the sender is the one responsible.
 * - `ignore`: drop the message, blame no one. A correctly signed message that turns out invalid,
 *   conflicting or too far ahead is its signer's doing, not the relay's (a relay cannot tell it
 *   apart); and the node's own overload is nobody's fault.
 */
export type PeerFaultAction = 'reject' | 'ignore';

/** Every reason the driver refuses a peer's message, with the action it always carries. */
export const peerFaultActions = {
  /** A vote whose validator is not the set's at its index. */
  VOTE_WRONG_SIGNER: 'reject',
  /** A vote whose signature does not verify. */
  VOTE_BAD_SIGNATURE: 'reject',
  /** A correctly signed vote the vote keeper does not count: a round beyond the signer's allowance. */
  VOTE_TOO_FAR_AHEAD: 'ignore',
  /** A correctly signed vote the engine refused for another reason. */
  VOTE_NOT_COUNTED: 'ignore',
  /** A proposal whose proof-of-lock round is not below its round. */
  PROPOSAL_BAD_POL_ROUND: 'reject',
  /** A proposal not signed by its round's proposer. */
  PROPOSAL_BAD_SIGNATURE: 'reject',
  /** A proposal carrying another block than the one its signature names (its header, or a body its header does not hash). */
  PROPOSAL_BLOCK_MISMATCH: 'reject',
  /** A correctly signed proposal for a round beyond `maxProposalRoundsAhead`. */
  PROPOSAL_TOO_FAR_AHEAD: 'ignore',
  /** A second, different, correctly signed proposal for a round (the proposer equivocates). */
  PROPOSAL_CONFLICT: 'ignore',
  /** A correctly signed proposal (or a certified decision) whose block breaks the chain's rules. */
  BLOCK_INVALID: 'ignore',
  /** A correctly signed proposal (or a certified decision) whose block's evidence is refused. */
  BLOCK_BAD_EVIDENCE: 'ignore',
  /** A correctly signed proposal whose block the application refused. */
  BLOCK_REJECTED_BY_APP: 'ignore',
  /** A decision whose commit does not verify against the height's validator set. */
  DECISION_BAD_COMMIT: 'reject',
  /** A decision whose block body (transactions, evidence, last commit) is not the one its header hashes. */
  DECISION_BLOCK_MISMATCH: 'reject',
  /** This node's input queue, or the peer's fair share of it, is full: this node is overloaded. */
  INPUT_QUEUE_FULL: 'ignore',
} as const satisfies Record<string, PeerFaultAction>;

export type PeerFaultCode = keyof typeof peerFaultActions;

/** The contract between the driver and the network layer: which rule a peer's message broke, and what to do. */
export interface PeerFault {
  readonly code: PeerFaultCode;
  readonly action: PeerFaultAction;
}

/** The fault for `code`, with its fixed action. */
export function peerFault(code: PeerFaultCode): PeerFault {
  return { code, action: peerFaultActions[code] };
}

/** A refused message as a transport records it (tests and the simulator). */
export interface PeerFaultReport {
  readonly peer: PeerId;
  readonly fault: PeerFault;
}

/** The fault of an input the engine refused (its reasons are the vote keeper's and the proposal map's). */
export function engineRefusal(reason: string): PeerFaultCode {
  if (reason === 'second proposal in round') return 'PROPOSAL_CONFLICT';
  if (reason === 'too-far-ahead') return 'VOTE_TOO_FAR_AHEAD';
  return 'VOTE_NOT_COUNTED';
}
