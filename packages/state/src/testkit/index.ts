/**
 * `@joule/state/testkit` — the test kit for module authors and Joule's own tests: a `TestChain`
 * that runs modules on a real `App` without a network, fixed fixtures, seeded randomness.
 */
// biome-ignore-all assist/source/organizeImports: the surface is grouped by concept, not sorted by path

// A chain in one process: modules on a real `App`, blocks driven by the test, events read back.
export { TestChain, type TestChainOptions, eventsOf } from './test-chain.js';

// Fixed keys, times, validator sets, blocks and commits for tests.
export {
  testKey,
  testGenesisTimeMs,
  testBlockIntervalMs,
  testValidatorSet,
  testChainState,
  testBlock,
  testCommit,
} from './chain-fixtures.js';

// Reproducible randomness and temporary directories.
export { SeededRandom, randomVersionOps } from './seeded-random.js';
export { tempDir } from './temp-dir.js';
