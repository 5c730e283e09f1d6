/**
 * Limits and protocol constants of @joule/state, each named with its unit. Every cache, batch,
 * decoder, list and loop of this package is bounded by one of these.
 */

// ─── LevelDB (sized for 1 GB boards) ────────────────────────────────────────────────────────────

/** Default LevelDB block cache, bytes (LevelDB's own default is 8 MiB). */
export const defaultCacheBytes = 2 * 1024 * 1024;
/** Default LevelDB write buffer (memtable), bytes; up to two are held at once (LevelDB default 4 MiB). */
export const defaultWriteBufferBytes = 1024 * 1024;
/** Default most open table files (LevelDB default 1 000). */
export const defaultMaxOpenFiles = 128;

// ─── Authenticated store ────────────────────────────────────────────────────────────────────────

/** Longest application key, bytes. */
export const maxKeyBytes = 256;
/** Largest application value, bytes. */
export const maxValueBytes = 64 * 1024;
/** Depth of the sparse Merkle tree: one level per bit of SHA-256(key). */
export const treeDepthBits = 256;
/** Most tree nodes (leaves included) kept in the read cache of the authenticated store (~15 MB at most). */
export const nodeCacheEntries = 50_000;
/** Most stale nodes deleted in one pruning batch (pruning loops over batches). */
export const pruneBatchEntries = 10_000;
/** Largest encoded proof accepted by `decodeProof`, bytes (256 siblings of 32 bytes plus a leaf). */
export const maxProofBytes = 256 * 33 + 128;
/** Most entries one prefix iteration over application state returns. */
export const maxIterateEntries = 10_000;
/** Most distinct keys written in one block (the block's working set is held in memory). */
export const maxBlockWrites = 200_000;

// ─── Transactions ───────────────────────────────────────────────────────────────────────────────

/** Most messages in one transaction. */
export const maxTxMessages = 32;
/** Longest memo, characters. */
export const maxMemoLength = 256;
/** Longest message type name (`bank/send`), characters. */
export const maxMessageTypeLength = 64;
/** Largest nonce: 2^53 - 1, so it stays a safe integer. */
export const maxNonce = Number.MAX_SAFE_INTEGER;
/** Domain tag of transaction sign bytes. */
export const txDomainTag = 'joule/tx/v1';
/** Domain tag of authenticated query sign bytes. */
export const queryDomainTag = 'joule/query/v1';

// ─── Gas (work units) ───────────────────────────────────────────────────────────────────────────

/** Default most gas one transaction may use. */
export const defaultMaxTxGas = 2_000_000;
/** Default most gas of all transactions in one block (used when consensus params say -1). */
export const defaultMaxBlockGas = 50_000_000;
/** Gas schedule: what each kind of work costs. Changing it changes consensus results. */
export const gasCosts = {
  txBase: 1_000,
  txPerByte: 10,
  signatureVerify: 1_000,
  perMessage: 200,
  readFlat: 100,
  readPerByte: 3,
  writeFlat: 200,
  writePerByte: 30,
  deleteFlat: 100,
  iterateFlat: 100,
  iteratePerEntry: 30,
  eventFlat: 50,
} as const;

// ─── Blocks, hooks and queries ──────────────────────────────────────────────────────────────────

/** Default work units each module's begin- or end-block hook may spend per block. */
export const defaultHookWorkBudget = 100_000;
/** Most events one transaction or one block hook may emit. */
export const maxEventsPerTx = 256;
/** Most attributes of one event. */
export const maxEventAttributes = 32;
/** Longest event attribute key or value, characters. */
export const maxEventAttributeLength = 1024;
/** Default window around the last block time in which an authenticated query's timestamp is fresh, ms. */
export const defaultQueryFreshnessMs = 5 * 60 * 1000;
/** Largest query request body, bytes. */
export const maxQueryBytes = 64 * 1024;
/** Longest query path (`/bank/balance`), characters. */
export const maxQueryPathLength = 128;
/** Largest application genesis section (JSON), bytes. */
export const maxGenesisBytes = 64 * 1024 * 1024;
/** Most gas one query may use (queries read committed state; this bounds their work). */
export const maxQueryGas = 10_000_000;
/** Longest log line in a transaction result, characters (longer ones are cut). */
export const maxLogLength = 1024;
/** Most block-level events (all begin/end-block hooks together). */
export const maxBlockEvents = 4096;
/** Default number of recent heights kept by `App` (0 keeps every height). */
export const defaultRetainBlocks = 0;
/** Default heights between two prunings of old versions and results. */
export const defaultPruneIntervalBlocks = 100;
