/** The fuzzer's bounds and defaults, each named with its unit. */

/** Findings kept (printed, saved, reported) per target; the counters count them all. */
export const maxFindingsPerTarget = 5;
/** Bytes of a failing input printed as hex in the report (the whole input is saved to a file). */
export const maxFindingHexBytes = 4096;
/** Valid encodings each decode target's mutator starts from. */
export const seedCorpusEntries = 48;
/** Inputs between two samples of the resident memory (and checks of a target's time budget). */
export const sampleEveryInputs = 256;

/** Shares of the total budget: the HTTP API and the WAL's file reader are far slower per input. */
export const httpShare = { inputs: 0.02, seconds: 0.3 } as const;
export const walShare = { inputs: 0.008, seconds: 0.12 } as const;

/** HTTP requests in flight at once: a bounded rate, so the fuzzer measures robustness, not load. */
export const httpConcurrentRequests = 8;
/** HTTP requests between two `/health` checks. */
export const httpBatchRequests = 200;
/** How long a request stays open before the fuzzer ends its side of the connection, ms. */
export const httpHalfCloseAfterMs = 1_000;
/** The body limit of the node under test, bytes (small, so over-limit bodies are cheap to send). */
export const httpMaxBodyBytes = 4096;
/** An HTTP request not answered within this is a hang, ms. */
export const httpHangMs = 10_000;

/** Default per-decode hang threshold, ms (the WAL's, a directory per input, is ten times it). */
export const defaultHangMs = 250;
export const defaultInputs = 1_000_000;
export const defaultSeconds = 300;
