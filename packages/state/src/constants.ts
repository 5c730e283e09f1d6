/**
 * Limits and protocol constants of @joule/state, each named with its unit. Every cache, batch,
 * decoder, list and loop of this package is bounded by one of these.
 */

// ─── LevelDB (sized for 1 GB boards) ────────────────────────────────────────────────────────────

/** Default LevelDB block cache, bytes (LevelDB's own default is 8 MiB). */
export const defaultCacheBytes = 2 * 1024 * 1024;
/** Default LevelDB write buffer (memtable), bytes; up to two are held at once (LevelDB default 4 MiB). */
export const defaultWriteBufferBytes = 1024 * 1024;
/**
 * LevelDB point reads a node answers synchronously in one turn of the event loop before the next
 * read yields to it (~5 µs a read from cache: ~0.3 ms of reads, plus the work between them).
 */
export const maxSyncReadsPerTurn = 64;
/** Default most open table files (LevelDB default 1 000). */
export const defaultMaxOpenFiles = 128;

// ─── Authenticated store ────────────────────────────────────────────────────────────────────────

/** Longest application key, bytes. */
export const maxKeyBytes = 256;
/** Largest application value, bytes. */
export const maxValueBytes = 64 * 1024;
/** Slots of a tree node: one per value of a nibble (4 bits) of SHA-256(key). */
export const treeRadix = 16;
/** Most depth of the sparse Merkle tree: one level per nibble of SHA-256(key). */
export const treeDepthNibbles = 64;
/**
 * Default memory of the authenticated store's node cache, bytes: each cached node counts its
 * encoding (at most 1 076 bytes) plus `nodeCacheNodeOverheadBytes`. The latest tree counts ~220
 * bytes per key, so 8 MiB hold all of it up to ~40 000 keys, and the top four levels (4 369 nodes,
 * at most 6.1 MiB) at any size: a write then misses about one node at the bottom of its path.
 */
export const defaultNodeCacheBytes = 8 * 1024 * 1024;
/** Default most tree nodes in that cache (a second bound, next to the bytes). */
export const nodeCacheEntries = 50_000;
/**
 * Levels at the top of the tree (depths 0 to 3, 4 369 nodes) that the node cache keeps apart from
 * deeper nodes, so that a block's churn of bottom nodes does not push out the nodes every write
 * passes through (`NodeCache`).
 */
export const nodeCacheTopDepths = 4;
/**
 * Share of the node cache's entries and bytes those top levels may take; deeper nodes have the rest.
 * At 100 000 keys the top levels take ~4 MiB; a half of the 8 MiB default leaves the deeper nodes
 * 4 MiB, where 3/4 left them 2 MiB (node reads a block of 1 000 writes: 725 against 786; at 20 000
 * keys 0 against 32).
 */
export const nodeCacheTopShare = 0.5;
/**
 * Bytes counted for each cached node besides its encoding: the node object, its slot offsets, its
 * cache entry (version, place) and the map entry (measured ~330 bytes on Node 26 x64, rounded up,
 * when the cache was keyed by a 13-byte id string; keying by place with an entry object adds ~16
 * bytes a node: 635 against 619 bytes of heap a node in a map of 20 000).
 */
export const nodeCacheNodeOverheadBytes = 384;
/**
 * Default memory of the cache of latest values (bytes): the state a block reads again and again —
 * a meter, the period's parameters, a slot's totals, an account — read once from LevelDB, and
 * absent keys remembered too. Kept current by each commit.
 */
export const defaultValueCacheBytes = 4 * 1024 * 1024;
/** Default most entries in that cache. */
export const valueCacheEntries = 20_000;
/** Bytes counted for each cached latest value besides the value (object, map entry, id). */
export const valueCacheOverheadBytes = 160;
/** Most stale records deleted in one pruning batch (pruning loops over batches; one version's list is never split). */
export const pruneBatchEntries = 10_000;
/**
 * Bytes of each chunk from which a version's batch cuts its small keys and values (`BatchArena`):
 * ~100 bytes a write, so a block of 1 000 writes takes two chunks.
 */
export const batchArenaChunkBytes = 64 * 1024;
/** Longest typed array V8 keeps on its own heap (`--typed-array-max-size-in-heap`), bytes. */
export const onHeapArrayMaxBytes = 64;
/**
 * Block times read ahead in one LevelDB iteration when the chain store moves the evidence window's
 * base (it moves a block or two a block: one read per this many blocks instead of one per block).
 */
export const evidenceTimesReadAheadHeights = 256;
/**
 * Largest encoded proof accepted by `decodeProof`, bytes: `[leaf, levels]` with up to 64 levels of
 * `[bitmap, siblings]` (array headers 1 + 1, a u16 of 3, up to 15 hashes of 34 bytes: 515), a leaf
 * of 69 bytes (array header 1 + two hashes of 34) and headers (1 + 3): 33 033 bytes at most, rounded up.
 */
export const maxProofBytes = 64 * 515 + 128;
/** Most entries one prefix iteration over application state returns. */
export const maxIterateEntries = 10_000;
/**
 * Most gaps of the latest state the store remembers as empty (`VersionedStore.entries` found no key
 * between a listing's start and the first key after its range, and no commit wrote into them since):
 * the end-of-block hooks list tables that are empty in most blocks, each LevelDB iterator ~100-200
 * µs of CPU, and one listing of an empty table answers every later listing inside it (the market's
 * debt sweep, one of 256 address buckets a block). A gap holds two keys of at most `maxKeyBytes` + 1
 * bytes (a gap is not remembered with longer ones): ~0.3 MiB full, ~100 bytes a gap for the hooks'
 * short keys.
 */
export const emptyRangeCacheEntries = 512;
/**
 * Most distinct keys one block may write (its working set is held in memory): the default of the
 * chain's `maxBlockWrites` and the most a genesis may set. A transaction or hook that would pass it
 * fails with `TX_BLOCK_WRITES_EXCEEDED`.
 */
export const maxBlockWrites = 200_000;
/** Most distinct keys genesis may write (genesis is committed with block 1, whose own writes count apart). */
export const maxGenesisWrites = 2_000_000;

// ─── Transactions ───────────────────────────────────────────────────────────────────────────────

/** Most messages in one transaction. */
export const maxTxMessages = 32;
/** Longest memo, characters. */
export const maxMemoLength = 256;
/** Longest message type name (`bank/send`), characters. */
export const maxMessageTypeLength = 64;
/** Longest module name, characters (`<module>/<message>` must fit in `maxMessageTypeLength`). */
export const maxModuleNameLength = 32;
/** Largest encoded message inside a transaction, bytes. */
export const maxMessageBytes = 64 * 1024;
/** Largest nonce: 2^53 - 1, so it stays a safe integer. */
export const maxNonce = Number.MAX_SAFE_INTEGER;
/** Domain tag of transaction sign bytes. */
export const txDomainTag = 'joule/tx/v1';
/** Domain tag of authenticated query sign bytes. */
export const queryDomainTag = 'joule/query/v1';

// ─── Gas (work units) ───────────────────────────────────────────────────────────────────────────

/** Default of the chain's `maxTxGas` (genesis `app_state.app`): most gas one transaction may use. */
export const defaultMaxTxGas = 2_000_000;
/**
 * Default of the chain's `maxBlockGas` (genesis `app_state.app`): most gas of all transactions in one
 * block. The application does not see consensus params; set `consensus_params.max_block_gas` to the
 * same value so that the mempool reaps what the application accepts.
 */
export const defaultMaxBlockGas = 50_000_000;
/**
 * What `checkTx` reports as a transaction's `gasWanted`: the gas its simulation used times this
 * (capped at `maxTxGas`). The proposer packs blocks by `gasWanted`; the same transaction can cost
 * a little more in its block (a slot's totals written by an earlier transaction are read, not
 * absent), and a block's last transaction must not fail for the difference. Cosmos SDK clients
 * apply a "gas adjustment" of 1.3–1.5 for the same reason.
 */
export const checkGasAdjustment = 1.25;
/**
 * Transactions whose valid signature is remembered with their chain, nonce and signer, so that a
 * proposal, a block or a recheck does not verify again what the mempool did (the server's pool
 * holds 2 000 and a block up to 10 000 small ones). The tighter bound at the default
 * `verifiedTxCacheBytes`: 8 192 entries count ~3.8 MiB (~1.5 MiB of heap from a few signers).
 */
export const verifiedTxCacheEntries = 8_192;
/**
 * Signers whose address (a SHA-256 of the public key) the ante remembers, with a copy of the key
 * that their remembered transactions share: a loaded chain's active signers (64 in the throughput
 * suite, a concentrator's meters in the pilot). A 32-character key, a copy of the 32-byte key and
 * the 20-byte address, each array with its buffer: ~0.5 KiB a signer, ~1 MiB when full.
 */
export const signerAddressCacheEntries = 2_048;
/** Addresses whose bech32 form events remember (a key and a string of ~70 characters: ~0.2 MiB). */
export const renderedAddressCacheEntries = 1_024;
/**
 * Bytes of the remembered transactions, `verifiedTxOverheadBytes` each plus their chain id. A
 * loaded node holds three sets of transactions it will meet again: its pool (2 000 on a server),
 * the transactions of a proposal it had not admitted (its pool was full, or gossip had not brought
 * them yet: up to a block), and the block being executed and committed. A bound of one pool
 * evicted a transaction before its proposal or its block and verified it again: 1.7 verifications
 * a transaction on each of 4 validators at 1 600 tx/s, against 1.06 with 6 300 remembered. Any
 * signed transaction is remembered once its signature verifies, before its nonce or account is
 * checked: a client can fill the cache with refused ones, so this bounds what it can make a node
 * hold. At this default `verifiedTxCacheEntries` is the tighter bound; a node's memory profile
 * sets a smaller one (512 KiB: ~1 090 transactions).
 */
export const verifiedTxCacheBytes = 12 * 1024 * 1024;
/**
 * What a remembered transaction costs: its key (the hash as a 32-character string), its entry and
 * its slot in the cache, and its signer's key and address, which the transactions of one signer
 * share but one signer each (a client filling the cache) does not. Measured after a full
 * collection, 4 000 remembered `bank/send`s: ~447 bytes each of heap from 4 000 signers, ~181 from
 * 4 (a decoded transaction kept ~1 220–1 360). The same for any number of messages: they are
 * decoded again from the bytes.
 */
export const verifiedTxOverheadBytes = 480;
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
  deletePerByte: 30,
  iterateFlat: 100,
  iteratePerEntry: 30,
  eventFlat: 50,
} as const;

// ─── Blocks, hooks and queries ──────────────────────────────────────────────────────────────────

/**
 * Default of the chain's `hookWorkBudget`: work units each module's begin- or end-block hook may spend
 * per block. 400 000 (100 000 before): a month-end settlement's step is then bounded by the work it
 * computes (the market's meter-slots per block) rather than by the gas of its reads and writes, so a
 * 10 000-meter month takes ≈ 1 500 blocks instead of ≈ 4 900. A chain's genesis may set another value.
 */
export const defaultHookWorkBudget = 400_000;
/** Most modules one application registers (each may leave one `hook.failed` event per hook per block). */
export const maxModules = 64;
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
/** Most keys a proven module query may read (each answered with a store proof). */
export const maxProvedReads = 1_024;
/** Most gas one query may use (queries read committed state; this bounds their work). */
export const maxQueryGas = 10_000_000;
/** Longest log line in a transaction result, characters (longer ones are cut). */
export const maxLogLength = 1024;
/** Most block-level events emitted by the begin/end-block hooks together (a hook that would pass it fails). */
export const maxBlockEvents = 4096;
/** Most block-level events stored: the hooks' events plus one `hook.failed` per hook run. */
export const maxStoredBlockEvents = maxBlockEvents + 2 * maxModules;
/** Longest event type (`bank.transfer`), characters. */
export const maxEventTypeLength = 64;
/** Longest error code in a result's `codespace`, characters. */
export const maxCodespaceLength = 64;
/** Largest `data` of a transaction result, bytes. */
export const maxTxResultDataBytes = 64 * 1024;
/** Default number of recent heights kept by `App` (0 keeps every height). */
export const defaultRetainBlocks = 0;
/** Default heights between two prunings of old versions and results. */
export const defaultPruneIntervalBlocks = 100;

// ─── Chain store ────────────────────────────────────────────────────────────────────────────────

/** Largest stored block record, bytes: a block of consensus's `maxBlockBytes` plus its header and evidence. */
export const maxStoredBlockOverheadBytes = 1024 * 1024;

// ─── Core modules ───────────────────────────────────────────────────────────────────────────────

/** Most accounts in an `auth` genesis section. */
export const maxGenesisAccounts = 100_000;
/** Most balances in a `bank` genesis section. */
export const maxGenesisBalances = 100_000;
/** Most outputs of one `bank/multi_send`. */
export const maxMultiSendOutputs = 64;
/** Most balances one `bank/balances` query returns. */
export const maxBalancesPerQuery = 1000;
