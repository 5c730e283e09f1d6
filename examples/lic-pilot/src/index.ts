/**
 * @joule/lic-pilot — the Lugaggia Innovation Community as a running Joule network: the community's
 * meter data (a seeded generator or a CSV), a local network of node processes with their resource
 * sampling, and the pilot run with its report. `npm start` runs `main.ts`; the benchmarks reuse the
 * network and the community.
 */

export * from './community/index.js';
export * from './network/errors.js';
export * from './network/launch.js';
export * from './network/local-network.js';
export * from './network/sampler.js';
export * from './network/unit.js';
export { denom, modules, type Signer, signerOf, submit } from './pilot/chain.js';
export { slotMeasures } from './pilot/post.js';
export { type Community, defaultPrices, setUpCommunity } from './pilot/setup.js';
export { Progress } from './progress.js';
