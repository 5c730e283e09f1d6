import type { Block, Commit, DuplicateVoteEvidence } from '@joule/consensus';

/*
 * Mirrors of the ABCI++-shaped `Application` interface and its request/response types from
 * @joule/consensus `src/app/application.ts`, which its public index does not export yet. Same shapes
 * field for field, so `App` is accepted wherever consensus wants an `Application`; once the index
 * exports them, this file becomes re-exports.
 */

export interface Application {
  info(): Promise<AppInfo>;
  initChain(request: InitChainRequest): Promise<InitChainResponse>;
  checkTx(request: CheckTxRequest): Promise<CheckTxResponse>;
  prepareProposal(request: PrepareProposalRequest): Promise<PrepareProposalResponse>;
  processProposal(request: ProcessProposalRequest): Promise<ProcessProposalResponse>;
  finalizeBlock(request: FinalizeBlockRequest): Promise<FinalizeBlockResponse>;
  commit(): Promise<CommitResponse>;
  query(request: QueryRequest): Promise<QueryResponse>;
}

export interface AppInfo {
  readonly lastBlockHeight: number;
  readonly lastBlockAppHash: Uint8Array;
  readonly version?: string;
}

export interface ValidatorUpdate {
  readonly pubKey: Uint8Array;
  readonly power: bigint;
}

export interface InitChainRequest {
  readonly chainId: string;
  readonly time: number;
  readonly initialHeight: number;
  readonly validators: readonly ValidatorUpdate[];
  readonly appStateBytes: Uint8Array;
}

export interface InitChainResponse {
  readonly validators: readonly ValidatorUpdate[];
  readonly appHash: Uint8Array;
}

export type CheckTxKind = 'new' | 'recheck';

export interface CheckTxRequest {
  readonly tx: Uint8Array;
  readonly kind: CheckTxKind;
}

export interface CheckTxResponse {
  readonly code: number;
  readonly codespace: string;
  readonly log: string;
  readonly gasWanted: number;
}

export interface PrepareProposalRequest {
  readonly height: number;
  readonly time: number;
  readonly proposerAddress: Uint8Array;
  readonly txs: readonly Uint8Array[];
  readonly maxTxBytes: number;
}

export interface PrepareProposalResponse {
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

export interface Misbehavior {
  readonly kind: 'duplicate-vote';
  readonly validatorAddress: Uint8Array;
  readonly height: number;
  readonly time: number;
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
  readonly txResults: readonly ExecTxResult[];
  readonly events: readonly AppEvent[];
  readonly validatorUpdates: readonly ValidatorUpdate[];
  readonly appHash: Uint8Array;
}

export interface CommitResponse {
  readonly retainHeight: number;
}

export interface QueryRequest {
  readonly path: string;
  readonly data: Uint8Array;
  readonly height?: number;
  readonly prove?: boolean;
}

export interface QueryResponse {
  readonly code: number;
  readonly codespace: string;
  readonly log: string;
  readonly value: Uint8Array;
  readonly height: number;
  readonly proof?: Uint8Array;
}

export interface CommittedBlock {
  readonly block: Block;
  readonly commit: Commit;
}
