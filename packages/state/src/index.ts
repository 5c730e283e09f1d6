/**
 * @joule/state — LevelDB stores, the authenticated versioned application state with proofs, and the
 * module framework (with the core modules auth, bank and poa) that implements consensus's
 * `Application`.
 *
 * Sub-paths: `./proof` (proof checking for clients), `./testkit` (the test kit for module authors).
 */
// biome-ignore-all assist/source/organizeImports: the surface is grouped by concept, not sorted by path

// Writing a module: its messages, queries, events and genesis, the contexts its handlers get,
// its state tables, and the errors a handler returns.
export type { AppEvent, EventAttribute, ExecTxResult, ValidatorUpdate } from './app/abci.js';
export {
  type Module,
  type ModuleGenesis,
  defineMessage,
  type MessageType,
  defineQuery,
  type QueryType,
  defineEvent,
  type EventValue,
  type RouteDescription,
  type TxContext,
  type QueryContext,
  type GenesisContext,
  type BlockContext,
  type BlockInfo,
  type Signer,
  type ModuleContext,
  type GenesisEnvironment,
  type ModuleEvent,
  type EmittedEvent,
  formatEventValue,
  renderEvent,
} from './app/module.js';
// Module-scoped state: each module's handlers see only its own keys (a length-prefixed module name);
// another module's state is reached only through the keeper it exports with its `StoreKey`.
export {
  type State,
  Table,
  textKey,
  MeteredState,
  StateScopeError,
  StoreKey,
  type StoreKeys,
} from './app/state.js';
export { moduleOf, moduleStorePrefix, moduleTableKey, tableStorePrefix } from './app/layout.js';
export { queryContextOver } from './app/query-context.js';
export { GasMeter } from './app/gas.js';
export { gasCosts } from './constants.js';
export {
  TxError,
  GenesisError,
  UnauthorizedError,
  OutOfGasError,
  type FrameworkCode,
  frameworkCodes,
} from './app/tx-errors.js';
export { jsonAmount, jsonArray, jsonObject, jsonString } from './app/genesis.js';

// The core modules every chain starts from: accounts (auth), balances (bank), validators (poa) and authorities.
export { coreModules, type CoreModules } from './modules/core.js';
export {
  auth,
  type AuthModule,
  type AuthGenesis,
  type AuthKeeper,
  type AuthOptions,
  type Account,
  accountCodec,
} from './modules/auth/auth.js';
export { type AccountKeeper, verifiedTxCacheStats } from './app/ante.js';
export {
  assertSafePublicKey,
  unsafeKeyReason,
  type UnsafeKeyReason,
  UnsafePublicKeyError,
} from './modules/auth/public-key.js';
export { bank, type BankModule, type BankGenesis, type BankOptions } from './modules/bank/bank.js';
export { BankKeeper } from './modules/bank/bank-keeper.js';
export {
  type Send,
  sendCodec,
  type MultiSend,
  multiSendCodec,
  type Mint,
  mintCodec,
  type Burn,
  burnCodec,
  amount as amountCodec,
  denom as denomCodec,
  denomPattern,
  maxAmount,
} from './modules/bank/bank-types.js';
export { poa, type PoaModule, type PoaGenesis, type SetValidator } from './modules/poa/poa.js';
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

// Transactions and signed queries: build, sign, encode and decode them.
export {
  type Tx,
  type TxBody,
  type TxMessage,
  txMessage,
  signTx,
  decodeTx,
  txCodec,
  txBodyCodec,
  txHash,
  txSignBytes,
  messageTypePattern,
} from './app/tx.js';
export {
  type SignedQuery,
  signQuery,
  signedQueryCodec,
  querySignBytes,
  txQueryCodec,
  blockResultsQueryCodec,
} from './app/queries.js';

// The application: the modules assembled into the `Application` the consensus engine runs, its genesis and results.
export { App, type AppOptions, type AppDependencies } from './app/app.js';
export { parseAppState, type ParsedAppState, parseGenesisAppState, parseAppLimits } from './app/genesis.js';
export { type AppLimits, appLimitsCodec, appSectionName, defaultAppLimits } from './app/limits.js';
export {
  registerModules,
  type ModuleRegistry,
  ModuleDefinitionError,
  moduleNamePattern,
  queryPathPattern,
} from './app/registry.js';
export {
  type BlockResults,
  blockResultsCodec,
  type StoredTxResult,
  storedTxResultCodec,
  eventCodec,
  execTxResultCodec,
} from './app/results.js';

// Storage: key-value stores, the authenticated versioned store, the chain store, typed repositories.
export { type KvStore, type KvOp, type KvRange, WriteBatch, type WriteOptions } from './kv/kv-store.js';
export { ClassicKvStore, type ClassicKvOptions, MemoryKvStore } from './kv/level-kv-store.js';
export { VersionedStore, type VersionedStoreOptions, type PreparedVersion } from './store/versioned-store.js';
export { LevelChainStore, type ChainStoreDependencies } from './chain/level-chain-store.js';
export { PendingWrites } from './chain/pending-writes.js';
export {
  Repository,
  type KeyEncoder,
  type ValueCodec,
  bytesKey,
  canonical,
  heightKey,
} from './kv/repository.js';
export { VersionUnavailableError, StoreCorruptionError, StoreStateError, StoreLimitError } from './errors.js';

// Proofs and proved reads: what a light client checks against an app hash (also at `@joule/state/proof`).
export {
  type StoreProof,
  type ProofLeaf,
  type ProofLevel,
  storeProofCodec,
  encodeProof,
  decodeProof,
  verifyProof,
} from './store/proof.js';
export { type ProvedRead, ProvingReader, provedReadsCodec } from './app/proved-reads.js';
export { StateLayer, type StateReader } from './app/state-layer.js';

// Limits a module and its transactions are checked against (units in the names).
export {
  maxModules,
  maxModuleNameLength,
  maxMessageTypeLength,
  maxMessageBytes,
  maxTxMessages,
  maxMemoLength,
  maxNonce,
  maxKeyBytes,
  maxValueBytes,
  maxIterateEntries,
  maxEventsPerTx,
  maxEventAttributes,
  maxEventAttributeLength,
  maxEventTypeLength,
  maxLogLength,
  maxCodespaceLength,
  maxTxResultDataBytes,
  maxQueryBytes,
  maxQueryPathLength,
  maxQueryGas,
  maxProofBytes,
  maxProvedReads,
  defaultQueryFreshnessMs,
  maxGenesisBytes,
  maxGenesisAccounts,
  maxGenesisBalances,
  maxMultiSendOutputs,
  maxBalancesPerQuery,
  defaultMaxTxGas,
  defaultMaxBlockGas,
  defaultHookWorkBudget,
  defaultRetainBlocks,
  defaultPruneIntervalBlocks,
  defaultNodeCacheBytes,
  defaultValueCacheBytes,
} from './constants.js';
