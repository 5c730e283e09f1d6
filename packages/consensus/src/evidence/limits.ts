/**
 * Default bounds of the evidence pool, each named with its unit. The two ages are consensus
 * parameters in effect (CometBFT's `evidence.max_age_num_blocks` and `max_age_duration`): a block's
 * evidence is valid or not depending on them, so every node must use the same values (take them
 * from genesis, never from a node's local config).
 */

/** Most bytes of encoded pending evidence (one piece is about 300 bytes). */
export const evidencePoolMaxBytes = 1024 * 1024;
/** Most pieces of evidence pending, verified or being verified. */
export const evidencePoolMaxPending = 1_000;
/** Evidence older than this many blocks (and than `evidenceMaxAgeMs`) has expired (CometBFT's default). */
export const evidenceMaxAgeBlocks = 100_000;
/** Evidence older than this many milliseconds (and than `evidenceMaxAgeBlocks`) has expired: 48 h, as CometBFT. */
export const evidenceMaxAgeMs = 48 * 60 * 60 * 1000;
