/**
 * @joule/node — the runnable node: home directory (config.toml, genesis.json, keys), the assembly
 * of consensus, mempool, stores, network, HTTP API and metrics into one `Startable`, and the
 * `joule` CLI (`runCli`). The typed API client is the sub-path `@joule/node/client`.
 */

// The HTTP API a node serves.
export type { ApiContext } from './api/context.js';
export { ApiError } from './api/errors.js';
export { ApiServer, type ApiServerOptions } from './api/server.js';
export { type CliApp, type Command, coreCliApp } from './cli/app.js';
export {
  type CliIo,
  clientOf,
  type FlagSpec,
  homeOf,
  json,
  nodeUrl,
  parse,
  required,
  stdio,
  UsageError,
} from './cli/common.js';
// The CLI: `runCli` runs the `joule` commands for an app (`CliApp`), extended by `CliExtension`s.
// A module's extension of it (its `tx` builders, its own command) uses: a usage error (exit 2,
// printed with the help), strict flag parsing, a required flag, the client of `--node`/`--home`, the
// home of `--home`, JSON output, and the field listing `tx … --help` and `query … --help` print.
export type { CliContext, CliExtension, ExtensionCommand, TxBuilder } from './cli/extension.js';
export { type FieldRow, fieldRows } from './cli/fields.js';
export { runCli } from './cli/run.js';
// Profiles, the home layout, exit codes and the bounds an operator or client meets (units in the names).
export {
  defaultApiUrl,
  defaultClientBusyRetries,
  defaultClientTimeoutMs,
  defaultHomeDir,
  defaultProfile,
  defaultVerifyTrustPeriodMs,
  exitCodes,
  homeEnvVar,
  homeFiles,
  keyNamePattern,
  type MemoryBudget,
  maxApiListItems,
  maxClientResponseBytes,
  maxClientRetryAfterMs,
  maxConfigFileBytes,
  maxGenesisFileBytes,
  maxKeyFileBytes,
  maxKeyringKeys,
  maxTxsPerSubmit,
  maxUrlLength,
  type NodeProfile,
  nodePackageVersion,
  type ProfileConsensus,
  type ProfileDisk,
  type ProfileName,
  type ProfileTimers,
  profileNames,
  profiles,
  signedQueryHeader,
  signedQueryWindowMs,
} from './constants.js';
// Errors in a node's inputs (config, genesis, key files).
export { ConfigError, GenesisFileError, KeyFileError, type NodeErrorCode, NodeInputError } from './errors.js';
// The home directory: config.toml, genesis.json, keys; `initHome` and `createTestnet` write one.
export { applyOverrides, defaultConfig, parseConfig, renderConfig } from './home/config.js';
export {
  type ConfigOverrides,
  type NodeConfig,
  sections as configSections,
  topLevel as configTopLevel,
} from './home/config-schema.js';
export { type GenesisDoc, genesisDoc, parseGenesis, renderGenesis } from './home/genesis-file.js';
export {
  addKey,
  type Home,
  type HomePaths,
  homePaths,
  type KeyInfo,
  listKeys,
  loadHome,
  loadKey,
} from './home/home.js';
export {
  type AppStateBuilder,
  coreAppState,
  type GenesisAccount,
  type GenesisAuthorities,
  type InitOptions,
  initHome,
  uniqueChainId,
} from './home/init.js';
export { createKeyFile, type KeyFile, loadKeyFile, peerIdOf } from './home/key-files.js';
export { HomeLock } from './home/lock.js';
export {
  createTestnet,
  type TestnetNode,
  type TestnetOptions,
  type Topology,
  topologyPeers,
} from './home/testnet.js';
// Logs and metrics.
export { createLoggers, type LogModule, type NodeLoggers } from './log/logger.js';
// The energy-market app: its modules, genesis builder and CLI extension.
export { jouleCliApp, marketAppState, marketModules } from './market/app.js';
export { marketCliExtension } from './market/cli.js';
export {
  exportPeriod,
  type MeasureRow,
  type ParamsFile,
  type PeriodExport,
  type ReceiptFile,
} from './market/export.js';
export { type MetricsSources, NodeMetrics } from './metrics/metrics.js';
// The network a node joins (libp2p, or standalone for a single node).
export {
  type NetworkContext,
  type NetworkFactory,
  type NetworkService,
  observedTransport,
  type PeerInfo,
  standaloneNetwork,
} from './network/network.js';
// The node itself: `createNode` assembles consensus, stores, network, API and metrics.
export {
  type AppSpec,
  createNode,
  type JouleNode,
  type NodeDependencies,
  type NodeOptions,
} from './node/node.js';
export { handleSignals } from './node/signals.js';
