/**
 * Limits and protocol constants of @joule/consensus, each named with its unit. Every decoder,
 * list and message in this package is bounded by one of these.
 */

/** Largest encoded consensus message (proposal with its block, vote, commit) accepted from anyone. */
export const maxMsgBytes = 4 * 1024 * 1024;
/** Largest block, all transactions and evidence included. */
export const maxBlockBytes = 2 * 1024 * 1024;
/** Largest single transaction. */
export const maxTxBytes = 64 * 1024;
/** Most transactions in one block. */
export const maxBlockTxs = 10_000;
/** Most pieces of evidence in one block. */
export const maxBlockEvidence = 100;
/** Most validators in one set (and so most signatures in a commit). */
export const maxValidators = 1_000;
/** Longest chain id, in characters (as CometBFT). */
export const maxChainIdLength = 50;
/** Largest total voting power of a set: int64 max / 8, as CometBFT, so priorities never overflow. */
export const maxTotalVotingPower = (2n ** 63n - 1n) / 8n;
/** Deepest nesting of msgpack containers any Joule structure uses, with room to spare. */
export const maxDecodeDepth = 16;
/**
 * Slots of the decoder's cache of short ASCII strings (a power of two), each at most
 * `maxCachedWireStringBytes` chars: ~16 KB at most. A transaction of 32 measures repeats its message
 * type, meter and signal 32 times; a hit returns the string already made.
 */
export const wireStringCacheEntries = 256;
/** Longest string (bytes) the decoder's string cache holds. */
export const maxCachedWireStringBytes = 64;
/** Longest Merkle inclusion proof: enough for 2^32 leaves. */
export const maxMerkleProofLength = 32;

/**
 * Most valid signatures remembered by `verifyCached` (a vote reaches a node from several peers, and
 * again in the next block's commit): the votes of ~100 heights of 4 validators, of 5 heights of 100.
 * Full, ~0.33 MB of heap (a 4 096-entry cache held ~1.35 MB on a long-running node).
 */
export const verifiedSignatureCacheEntries = 1024;
/** Most bytes of those entries (key ‖ signature ‖ message, one byte each): 1 024 votes fit. */
export const verifiedSignatureCacheBytes = 512 * 1024;
/** Most native public-key objects kept; validator sets are small, so the cache mostly holds them all. */
export const nativeKeyCacheEntries = 1024;
/** Most native secret-key objects kept (a node signs with one key; the simulator with a few). */
export const nativeSecretKeyCacheEntries = 64;

/** Largest multi-part SHA-256 input copied into one reused buffer (longer ones are hashed by parts). */
export const maxHashScratchBytes = 128 * 1024;

/** Length of a SHA-256 hash, in bytes. */
export const hashBytes = 32;
/** Length of an address (first bytes of SHA-256 of the public key), in bytes. */
export const addressBytes = 20;
/** Length of an ed25519 public key, in bytes. */
export const publicKeyBytes = 32;
/** Length of an ed25519 secret key (seed), in bytes. */
export const secretKeyBytes = 32;
/** Length of an ed25519 signature, in bytes. */
export const signatureBytes = 64;

/** Domain tags of sign bytes: every signed structure gets its own, so one can never pass for another. */
export const domainTags = {
  vote: 'joule/vote/v1',
  proposal: 'joule/proposal/v1',
} as const;

/**
 * Votes the vote keeper counts per validator, per round and per vote type: its first vote, its
 * first conflicting vote (kept as evidence of equivocation), and one for each value that holds
 * more than 1/3 of the power in first votes — at most two such values, since first votes are one
 * per validator. A value that can reach a quorum has more than 1/3 of honest (first) votes, so
 * it is always tracked and every later vote for it counts once it is. Before that, an
 * equivocator's vote for it may find the pending slots below full (of junk values) and be dropped:
 * it counts when it arrives again — in the proof of lock sent with a re-proposal, or a catch-up
 * answer — which matters only when the honest votes for the value fall short of 2/3 on their own.
 */
export const maxCountedVotesPerValidatorRoundType = 4;
/**
 * Votes per validator, per round and per vote type held aside, uncounted, for values not (yet)
 * past 1/3 of the first votes; the first ones are kept, later ones dropped (never logged). A
 * dropped vote counts when it arrives again, e.g. in the proof of lock sent with a re-proposal.
 */
export const maxPendingVotesPerValidatorRoundType = 2;
/** A validator may hold votes in at most this many rounds above `round + 1` (bounds memory against spam). */
export const maxFutureRoundsPerValidator = 2;

/** Most equivocations the driver keeps from the current height until it commits and they can enter the pool. */
export const maxLocalEvidence = 100;
/** Rounds of a height whose proposer the driver keeps computed (the oldest is dropped beyond). */
export const maxCachedProposerRounds = 16;
