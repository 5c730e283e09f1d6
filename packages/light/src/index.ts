/**
 * @joule/light — a light client for Joule chains: verifies headers against the validators'
 * signatures (sequential and skipping verification, CometBFT's rules), checks them against
 * witnesses, and proves a household's balance, measures, period parameters and settlement against
 * the app hash of a verified header. Uses `fetch` and noble's crypto; runs in Node and in a browser.
 */
// The light client: trust a header, verify headers forward, read verified state.
export {
  LightClient,
  type LightClientDependencies,
  type LightClientOptions,
  type LightStats,
  type Signers,
  signersOf,
  type TrustOptions,
  type VerifiedState,
} from './client/light-client.js';
// Defaults and bounds (units in the names).
export {
  defaultMaxClockDriftMs,
  defaultProofHeaderWaitMs,
  defaultRequestTimeoutMs,
  defaultTrustLevel,
  maxBisectionFetches,
  maxDeltaRows,
  maxMeasureSlots,
  maxResponseBytes,
  maxTrustedBlocks,
  proofHeaderPollMs,
} from './constants.js';
// Errors.
export { fail, LightClientError, type LightErrorCode } from './errors.js';
// `JouleLight`: the light client and verified queries of an energy community in one object.
export { JouleLight, type JouleLightOptions, type LightCost } from './light.js';
// Where headers and proofs come from.
export {
  HttpProvider,
  type HttpProviderOptions,
  type ProvenAnswer,
  type Provider,
  signedQueryHeader,
} from './provider/http-provider.js';
// Verified queries of the market's state.
export { keys, type Period, periodStates, type Receipt } from './queries/layout.js';
export {
  type MeasureRow,
  type SettlementLine,
  type Verified,
  VerifiedQueries,
} from './queries/verified-queries.js';
// Header verification (CometBFT's rules).
export { type LightBlock, type LightBlockJson, lightBlockFromJson } from './verify/light-block.js';
export {
  assertNotExpired,
  type VerifyOptions,
  verifyAdjacent,
  verifyNonAdjacent,
  verifySelfConsistent,
} from './verify/verifier.js';
