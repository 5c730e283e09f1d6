import type { Block } from '../block/block.js';
import type { Commit } from '../block/commit.js';
import type { DuplicateVoteEvidence } from '../vote/evidence.js';

/**
 * The application behind consensus, in the shape of CometBFT's ABCI++ (info, initChain, checkTx,
 * prepareProposal, processProposal, finalizeBlock, commit, query). @joule/state implements it on
 * top of modules; the simulator ships a small one. Every call is async and may be slow; the driver
 * never calls two of them at once.
 *
 * Determinism: given the same blocks, every correct application returns the same results and app
 * hashes. `processProposal` must be a pure function of its request and the committed state.
 */
export interface Application {
  info(): Promise<AppInfo>;
  initChain(request: InitChainRequest): Promise<InitChainResponse>;
  checkTx(request: CheckTxRequest): Promise<CheckTxResponse>;
  /**
   * The account a transaction claims to come from, as bytes, or undefined if it names none (it
   * does not decode): a cheap read, no signature check. The mempool counts each sender's
   * transactions against its per-sender quota before running `checkTx`. Optional: without it the
   * mempool has no per-sender quota.
   */
  txSender?(tx: Uint8Array): Uint8Array | undefined;
  prepareProposal(request: PrepareProposalRequest): Promise<PrepareProposalResponse>;
  processProposal(request: ProcessProposalRequest): Promise<ProcessProposalResponse>;
  finalizeBlock(request: FinalizeBlockRequest): Promise<FinalizeBlockResponse>;
  /** Makes the last finalized block's state durable; returns the lowest height the node must keep. */
  commit(): Promise<CommitResponse>;
  query(request: QueryRequest): Promise<QueryResponse>;
}

export interface AppInfo {
  /** Last height the application committed (0 before the first block). */
  readonly lastBlockHeight: number;
  readonly lastBlockAppHash: Uint8Array;
  readonly version?: string;
}

/** A change of one validator's power; power 0 removes it. Keys are ed25519 public keys. */
export interface ValidatorUpdate {
  readonly pubKey: Uint8Array;
  readonly power: bigint;
}

export interface InitChainRequest {
  readonly chainId: string;
  /** Genesis time, Unix ms. */
  readonly time: number;
  readonly initialHeight: number;
  readonly validators: readonly ValidatorUpdate[];
  /** The application's genesis state (JSON bytes of the `app_state` section of genesis). */
  readonly appStateBytes: Uint8Array;
}

export interface InitChainResponse {
  /** Replaces the genesis validators when non-empty. */
  readonly validators: readonly ValidatorUpdate[];
  readonly appHash: Uint8Array;
}

/**
 * `new` for a transaction first seen; `recheck` for one still in the mempool after a commit. A
 * recheck is only for bytes a `new` check admitted: it may skip what depends on the bytes alone
 * (the signature, the messages' decoding), as the Cosmos SDK's ReCheckTx does.
 */
export type CheckTxKind = 'new' | 'recheck';

export interface CheckTxRequest {
  readonly tx: Uint8Array;
  readonly kind: CheckTxKind;
  /**
   * SHA-256 of `tx` (its id, `txHash`), when the caller has it: the mempool hashes each
   * transaction once, on arrival, and hands the hash to every check and recheck of it. Trusted, not
   * checked: a caller that passes it must have computed it from these bytes.
   */
  readonly hash?: Uint8Array;
}

export interface CheckTxResponse {
  /** 0 is success; anything else rejects the transaction. */
  readonly code: number;
  /** Stable, machine-readable reason (`TX_BAD_NONCE`, …) when `code` is not 0. */
  readonly codespace: string;
  readonly log: string;
  /** Work units the transaction may use, counted against the block's limit. */
  readonly gasWanted: number;
}

export interface PrepareProposalRequest {
  readonly height: number;
  readonly time: number;
  readonly proposerAddress: Uint8Array;
  /** Transactions reaped from the mempool, in order, already within `maxTxBytes`. */
  readonly txs: readonly Uint8Array[];
  readonly maxTxBytes: number;
}

export interface PrepareProposalResponse {
  /** What to propose: a subset (or reordering) of the request's transactions, within `maxTxBytes`. */
  readonly txs: readonly Uint8Array[];
}

export interface ProcessProposalRequest {
  readonly height: number;
  readonly time: number;
  readonly proposerAddress: Uint8Array;
  readonly txs: readonly Uint8Array[];
  readonly hash: Uint8Array;
}

export type ProcessProposalResponse = 'accept' | 'reject';

/**
 * Evidence of a validator's misbehaviour, handed to the application when a block carries it: the
 * fields of CometBFT's ABCI `Misbehavior`, all about the height of the offence (not the including
 * block), so that an application can size a punishment by the offender's share of the power then.
 */
export interface Misbehavior {
  readonly kind: 'duplicate-vote';
  readonly validatorAddress: Uint8Array;
  /** The offender's voting power at `height`. */
  readonly validatorPower: bigint;
  /** Height of the offence (the evidence's votes). */
  readonly height: number;
  /** Block time (Unix ms) of `height`. */
  readonly time: number;
  /** Total voting power of the validator set at `height`. */
  readonly totalVotingPower: bigint;
  readonly evidence: DuplicateVoteEvidence;
}

export interface FinalizeBlockRequest {
  readonly block: Block;
  readonly hash: Uint8Array;
  readonly misbehavior: readonly Misbehavior[];
}

export interface EventAttribute {
  readonly key: string;
  readonly value: string;
}

/** A typed event: `type` names it (`transfer`, `market.measure`), attributes carry its fields. */
export interface AppEvent {
  readonly type: string;
  readonly attributes: readonly EventAttribute[];
}

export interface ExecTxResult {
  readonly code: number;
  readonly codespace: string;
  readonly log: string;
  readonly data: Uint8Array;
  readonly gasWanted: number;
  readonly gasUsed: number;
  readonly events: readonly AppEvent[];
}

export interface FinalizeBlockResponse {
  /** One result per transaction of the block, in order. */
  readonly txResults: readonly ExecTxResult[];
  /** Block-level events (begin/end-block hooks). */
  readonly events: readonly AppEvent[];
  /** Validator changes; those returned at height H take effect at H+2. */
  readonly validatorUpdates: readonly ValidatorUpdate[];
  readonly appHash: Uint8Array;
}

export interface CommitResponse {
  /** Blocks below this height may be pruned (0 keeps everything). */
  readonly retainHeight: number;
}

export interface QueryRequest {
  readonly path: string;
  readonly data: Uint8Array;
  /** 0 or absent for the latest committed height. */
  readonly height?: number;
  readonly prove?: boolean;
}

export interface QueryResponse {
  readonly code: number;
  readonly codespace: string;
  readonly log: string;
  readonly value: Uint8Array;
  readonly height: number;
  /** Encoded proof against the app hash of `height` when `prove` was asked. */
  readonly proof?: Uint8Array;
}

/** The committed-block side of a commit: what the chain store writes in the same batch as the state. */
export interface CommittedBlock {
  readonly block: Block;
  readonly commit: Commit;
}
