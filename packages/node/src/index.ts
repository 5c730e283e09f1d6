/**
 * @joule/node — the runnable node: home directory (config.toml, genesis.json, keys), the assembly
 * of consensus, mempool, stores, network, HTTP API and metrics into one `Startable`, and the
 * `joule` CLI (`runCli`). The typed API client is the sub-path `@joule/node/client`.
 */

export type { ApiContext } from './api/context.js';
export { ApiError } from './api/errors.js';
export { ApiServer, type ApiServerOptions } from './api/server.js';
// CLI: `runCli` runs an appchain's bin; the rest is what a module's extension of it uses (its
// `tx` builders, its own command): a usage error (exit 2, printed with the help), strict flag
// parsing, a required flag, the client of `--node`/`--home`, the home of `--home`, JSON output,
// and the field listing that `tx … --help` and `query … --help` print from a codec.
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
export type { CliContext, CliExtension, ExtensionCommand, TxBuilder } from './cli/extension.js';
export { type FieldRow, fieldRows } from './cli/fields.js';
export { runCli } from './cli/run.js';
export * from './constants.js';
export * from './errors.js';
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
export { createLoggers, type LogModule, type NodeLoggers } from './log/logger.js';
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
export {
  type NetworkContext,
  type NetworkFactory,
  type NetworkService,
  observedTransport,
  type PeerInfo,
  standaloneNetwork,
} from './network/network.js';
export {
  type AppSpec,
  createNode,
  type JouleNode,
  type NodeDependencies,
  type NodeOptions,
} from './node/node.js';
export { handleSignals } from './node/signals.js';
