/**
 * @joule/lic-pilot — the Lugaggia Innovation Community as a running Joule network: the community's
 * meter data (a seeded generator or a CSV), a local network of node processes with their resource
 * sampling, and the pilot run with its report. `npm start` runs `main.ts`; the benchmarks reuse the
 * network and the community.
 */

export {
  type CommunityData,
  CommunityDataError,
  type CommunityDataErrorCode,
  type CommunityMeter,
  communityCsvHeader,
  formatCommunityCsv,
  type GenerateCommunityOptions,
  generateCommunity,
  parseCommunityCsv,
  previousMonth,
} from './community/index.js';
export { NodeStartError } from './network/errors.js';
export { type Build, buildBundle, bundlePath, describeLaunch, unitNodeLaunch } from './network/launch.js';
export {
  jouleCliPath,
  LocalNetwork,
  type LocalNetworkOptions,
  type LocalNode,
  type NodeLaunch,
  startTimeoutMs,
  stopTimeoutMs,
} from './network/local-network.js';
export {
  diskUsage,
  maxSamplesPerNode,
  type NodeSamples,
  parseProcStat,
  type ResourceSample,
  ResourceSampler,
  readProc,
} from './network/sampler.js';
export {
  canPreload,
  parseUnit,
  type RunnableUnit,
  runnableUnit,
  type UnitLaunch,
  unitLaunch,
  unitPath,
  unitRetainBlocks,
  unitWrap,
} from './network/unit.js';
export { denom, modules, type Signer, signerOf, submit } from './pilot/chain.js';
export { slotMeasures } from './pilot/post.js';
export { type Community, defaultPrices, setUpCommunity } from './pilot/setup.js';
export { Progress } from './progress.js';
