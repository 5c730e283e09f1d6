/**
 * @joule/consensus/sim — the deterministic simulator: many nodes of the real engine and driver in
 * one process, on virtual time, an in-memory network and in-memory stores, all from one seed.
 * Application developers can run their own application under the same faults.
 */
export { type ByzantineKind, equivocatingTransport } from './byzantine.js';
export { isPoison, KvApp, type KvDurable, kvTx, poisonTx, validatorTx } from './kv-app.js';
export { MemoryChainStore } from './memory-chain-store.js';
export { type NetworkConfig, SimNetwork } from './network.js';
export { fence, Incarnation, SimNode, type SimNodeOptions } from './node.js';
export { SeededRng } from './rng.js';
export {
  livenessBoundPerHeightMs,
  runScenario,
  type ScenarioMode,
  type ScenarioOptions,
  type ScenarioResult,
  scenarioModes,
  tightMaxRounds,
} from './scenario.js';
export { type BehaviourCounts, type RunSeedsOptions, runSeeds, type SimSummary } from './summary.js';
export { VirtualTime } from './virtual-clock.js';
