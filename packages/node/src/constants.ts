/**
 * Limits, file names and defaults of @joule/node, each named with its unit. The defaults of the
 * config file live in `home/config-schema.ts`, next to their documentation.
 */

/** Files of a home directory, relative to it. */
export const homeFiles = {
  config: 'config/config.toml',
  genesis: 'config/genesis.json',
  nodeKey: 'config/node_key.json',
  validatorKey: 'config/validator_key.json',
  signerState: 'data/signer_state.bin',
  db: 'data/db',
  wal: 'data/wal',
  lock: 'data/LOCK',
  keyring: 'keyring',
} as const;

/** Largest config.toml read, bytes. */
export const maxConfigFileBytes = 64 * 1024;
/** Largest genesis.json read, bytes (the app state dominates; @joule/state bounds it again). */
export const maxGenesisFileBytes = 32 * 1024 * 1024;
/** Largest key file read, bytes. */
export const maxKeyFileBytes = 4 * 1024;
/** Most keys in a keyring listed at once. */
export const maxKeyringKeys = 1_000;
/** Key names: letters, digits, `.`, `_`, `-`, at most 64 characters. */
export const keyNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Most transaction submissions the API handles at once (checks waiting for the mempool's lane);
 * one more is answered 429 `API_BUSY` with `Retry-After`, before its body is read.
 */
export const maxInFlightTxRequests = 256;
/** The retry hint of a 429 `API_BUSY`, ms (a check takes well under a millisecond). */
export const apiBusyRetryAfterMs = 100;
/** The retry hint of a 429 `MEMPOOL_FULL`, ms: about a block, which empties the pool's front. */
export const mempoolFullRetryAfterMs = 1_000;
/** Times a client posts again after a 429 with a retry hint before it gives up with the error. */
export const defaultClientBusyRetries = 5;
/** Longest wait a client honours from one retry hint, ms. */
export const maxClientRetryAfterMs = 10_000;
/** Most transactions in one `/broadcast_txs_sync` request (the body's size bounds it too). */
export const maxTxsPerSubmit = 256;
/** Most requests waiting for their transaction's block (`/broadcast_tx_commit`). */
export const maxCommitWaiters = 1_000;
/** Most peers given their own label in the invalid-messages metric; the rest share `other`. */
export const maxPeerMetricLabels = 64;
/** Most results in a list answered by the API (validators, peers). */
export const maxApiListItems = 1_000;
/** Longest URL accepted by the API, characters. */
export const maxUrlLength = 4 * 1024;
/** Longest query string value used as a route parameter, characters. */
export const maxParamLength = 1_024;
/** Time a client of `@joule/node/client` waits for an answer by default, ms. */
export const defaultClientTimeoutMs = 30_000;
/** Largest response body a client reads, bytes. */
export const maxClientResponseBytes = 16 * 1024 * 1024;

/** Exit codes of the `joule` CLI. */
export const exitCodes = {
  ok: 0,
  /** Something failed at run time (the node crashed, a store failed). */
  failure: 1,
  /** The command line is wrong (unknown command or flag, missing argument). */
  usage: 2,
  /** An input file is wrong (config, genesis, key, home of another chain, port in use). */
  badInput: 3,
  /** The node at `--node` could not be reached. */
  unreachable: 4,
  /** The node answered with an error (a rejected transaction, an unknown route). */
  rejected: 5,
  /** Stopped by a second signal, without a graceful shutdown. */
  interrupted: 130,
} as const;
