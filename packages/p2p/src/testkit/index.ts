/**
 * `@joule/p2p/testkit` — networks of real Joule nodes on localhost for tests: a `TestNet` of
 * `TestNode`s on a chosen topology, with fast timeouts and free ports.
 */
// biome-ignore-all assist/source/organizeImports: the surface is grouped by concept, not sorted by path

// Networks of real nodes on localhost: a `TestNet` of `TestNode`s, its topology and timeouts.
export {
  TestNet,
  type TestNetOptions,
  fastTimeouts,
  freePortRange,
  freePorts,
  gridEdges,
} from './test-net.js';
export { TestNode, type TestNodeOptions, type TestNodeParts } from './test-node.js';
