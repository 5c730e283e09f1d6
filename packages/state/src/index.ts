/**
 * @joule/state — LevelDB stores, the authenticated versioned application state with proofs, and the
 * module framework (with the core modules auth, bank and poa) that implements consensus's
 * `Application`.
 */

/** Module authors use these application types; they are defined by @joule/consensus. */
export type { AppEvent, EventAttribute, ExecTxResult, ValidatorUpdate } from './app/abci.js';
export { type AccountKeeper, type AnteResult, runAnte } from './app/ante.js';
export { App, type AppDependencies, type AppOptions } from './app/app.js';
export { GasMeter } from './app/gas.js';
export {
  jsonAmount,
  jsonArray,
  jsonObject,
  jsonString,
  type ParsedAppState,
  parseAppLimits,
  parseAppState,
  parseGenesisAppState,
} from './app/genesis.js';
export { moduleOf, moduleStorePrefix, moduleTableKey, tableStorePrefix } from './app/layout.js';
export { type AppLimits, appLimitsCodec, appSectionName, defaultAppLimits } from './app/limits.js';
export {
  type BlockContext,
  type BlockInfo,
  defineEvent,
  defineMessage,
  defineQuery,
  type EmittedEvent,
  type EventValue,
  formatEventValue,
  type GenesisContext,
  type GenesisEnvironment,
  type MessageType,
  type Module,
  type ModuleContext,
  type ModuleEvent,
  type ModuleGenesis,
  type QueryContext,
  type QueryType,
  type RouteDescription,
  renderEvent,
  type Signer,
  type TxContext,
} from './app/module.js';
export { type ProvedRead, ProvingReader, provedReadsCodec } from './app/proved-reads.js';
export {
  blockResultsQueryCodec,
  querySignBytes,
  type SignedQuery,
  signedQueryCodec,
  signQuery,
  txQueryCodec,
} from './app/queries.js';
export { queryContextOver } from './app/query-context.js';
export {
  ModuleDefinitionError,
  type ModuleRegistry,
  moduleNamePattern,
  queryPathPattern,
  registerModules,
} from './app/registry.js';
export {
  type BlockResults,
  blockResultsCodec,
  eventCodec,
  execTxResultCodec,
  type StoredTxResult,
  storedTxResultCodec,
} from './app/results.js';
export {
  MeteredState,
  type State,
  StateScopeError,
  StoreKey,
  type StoreKeys,
  Table,
  textKey,
} from './app/state.js';
export { StateLayer, type StateReader } from './app/state-layer.js';
export {
  decodeTx,
  messageTypePattern,
  signTx,
  type Tx,
  type TxBody,
  type TxMessage,
  txBodyCodec,
  txCodec,
  txHash,
  txMessage,
  txSignBytes,
} from './app/tx.js';
export {
  type FrameworkCode,
  frameworkCodes,
  GenesisError,
  OutOfGasError,
  TxError,
  UnauthorizedError,
} from './app/tx-errors.js';
export { type ChainStoreDependencies, LevelChainStore } from './chain/level-chain-store.js';
export { PendingWrites } from './chain/pending-writes.js';
export * from './constants.js';
export * from './errors.js';
export * from './keys.js';
export { type KvOp, type KvRange, type KvStore, WriteBatch, type WriteOptions } from './kv/kv-store.js';
export { type ClassicKvOptions, ClassicKvStore, MemoryKvStore } from './kv/level-kv-store.js';
export {
  bytesKey,
  canonical,
  heightKey,
  type KeyEncoder,
  Repository,
  type ValueCodec,
} from './kv/repository.js';
export {
  type Account,
  type AuthGenesis,
  type AuthKeeper,
  type AuthModule,
  type AuthOptions,
  accountCodec,
  auth,
} from './modules/auth/auth.js';
export {
  assertSafePublicKey,
  type UnsafeKeyReason,
  UnsafePublicKeyError,
  unsafeKeyReason,
} from './modules/auth/public-key.js';
export {
  Authority,
  type AuthorityCheck,
  AuthorityError,
  type AuthorityGenesis,
  type AuthorityOptions,
  type AuthorityRecord,
  authorityRecordCodec,
  requireAuthority,
  type TransferAuthority,
} from './modules/authority/authority.js';
export { type BankGenesis, type BankModule, type BankOptions, bank } from './modules/bank/bank.js';
export { BankKeeper } from './modules/bank/bank-keeper.js';
export {
  amount as amountCodec,
  type Burn,
  burnCodec,
  denom as denomCodec,
  denomPattern,
  type Mint,
  type MultiSend,
  maxAmount,
  mintCodec,
  multiSendCodec,
  type Send,
  sendCodec,
} from './modules/bank/bank-types.js';
export { type CoreModules, coreModules } from './modules/core.js';
export { type PoaGenesis, type PoaModule, poa, type SetValidator } from './modules/poa/poa.js';
export { emptyHash, keyHashOf, leafHash, nibbleAt, nodeHash } from './store/hashing.js';
export {
  decodeProof,
  encodeProof,
  type ProofLeaf,
  type ProofLevel,
  type StoreProof,
  storeProofCodec,
  verifyProof,
} from './store/proof.js';
export { referenceRoot } from './store/reference-root.js';
export { type PreparedVersion, VersionedStore, type VersionedStoreOptions } from './store/versioned-store.js';
export * from './testkit/chain-fixtures.js';
export { randomVersionOps, SeededRandom } from './testkit/seeded-random.js';
export { tempDir } from './testkit/temp-dir.js';
export { eventsOf, TestChain, type TestChainOptions } from './testkit/test-chain.js';
