/** Limits and defaults of the light client, each with its unit. */

/** Trust level of skipping verification: more than this share of the trusted set must sign (CometBFT's 1/3). */
export const defaultTrustLevel = { numerator: 1n, denominator: 3n } as const;
/** How far a header's time may run ahead of the local clock, ms. */
export const defaultMaxClockDriftMs = 10_000;
/** Most verified light blocks kept in memory (the oldest, other than the root of trust, go first). */
export const maxTrustedBlocks = 256;
/** Most light blocks fetched while bisecting towards one target height. */
export const maxBisectionFetches = 64;
/** Per HTTP request to a node, ms. */
export const defaultRequestTimeoutMs = 10_000;
/** Largest HTTP answer read from a node, bytes. */
export const maxResponseBytes = 8 * 1024 * 1024;
/** How long a proven query waits for the header that carries its app hash, ms. */
export const defaultProofHeaderWaitMs = 30_000;
/** Pause between two looks for that header, ms. */
export const proofHeaderPollMs = 250;
/** Most slots of one verified measures query (the market's own bound). */
export const maxMeasureSlots = 1_024;
/** Most rows of a period's deltas read to find one account's settlement line (the market's page size). */
export const maxDeltaRows = 500;
