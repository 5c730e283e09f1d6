/**
 * Limits of the consensus driver, each named with its unit. Every queue, buffer and per-height
 * store of the driver is bounded by one of these.
 */
import { maxBlockBytes } from '../constants.js';

/** Most peer inputs waiting in the driver's serial queue; more are dropped (`INPUT_QUEUE_FULL`, ignored). */
export const maxPendingInputs = 10_000;
/**
 * Most inputs one peer may have waiting in that queue: a tenth of it, so one peer that floods
 * (10 000 status frames) leaves room for the others' votes and proposals.
 */
export const maxPendingInputsPerPeer = maxPendingInputs / 10;
/** Most messages for the next height kept until it starts (a peer may fill at most a tenth). */
export const maxFutureMessages = 1_000;
/** Most proposals (with their blocks) among those next-height messages: one per round of the window. */
export const maxFutureProposals = 3;
/**
 * Proposals are admitted for the current round and at most this many rounds above it (and for
 * any earlier round of the height, which L49 may still decide). A proposal further ahead is
 * dropped unblamed; its proposer sends it again when a peer's status shows it is needed.
 */
export const maxProposalRoundsAhead = 2;
/**
 * Most bytes of proposal blocks the driver keeps for one height (the encoded size of their
 * transactions, evidence and commit, estimated from their parts). Past it, the blocks of the
 * oldest earlier rounds that hold neither the lock, the valid value, nor the decision are dropped
 * with their proposals; the chain then learns such a block, if it is decided, whole from a peer.
 */
export const maxProposalBlockBytesPerHeight = 4 * maxBlockBytes;
/** Most rounds of one height whose proposals (with their blocks) the driver keeps, by the same rule. */
export const maxProposalRoundsPerHeight = 8;
/**
 * A peer's status names a height below this node's: the node answers with the block and commit
 * it holds at most this often per peer (per second, and in a burst), the request rate block sync
 * allows a peer. Older heights are fetched by block sync in any case; this bounds the reads and
 * the sends a flood of status frames can cause.
 */
export const catchUpAnswersPerPeerPerSecond = 20;
/** See `catchUpAnswersPerPeerPerSecond`. */
export const catchUpBurstAnswersPerPeer = 40;
/** Most peers whose catch-up budget is remembered (least recently seen forgotten first). */
export const maxCatchUpPeers = 256;
