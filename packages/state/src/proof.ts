/**
 * `@joule/state/proof` — what a client needs to check the state against an app hash, and nothing
 * that needs Node or LevelDB: the store proof's codec and `verifyProof`, the proven reads that a
 * proven module query returns, the signing of authenticated queries, and where a module's table
 * keys live (`moduleTableKey`). It loads in a browser
 * (bundled with `@joule/consensus/core`).
 */
export { moduleStorePrefix, moduleTableKey, tableStorePrefix } from './app/layout.js';
export { type ProvedRead, provedReadsCodec } from './app/proved-reads.js';
export { querySignBytes, type SignedQuery, signedQueryCodec, signQuery } from './app/queries.js';
export {
  decodeProof,
  encodeProof,
  type ProofLeaf,
  type ProofLevel,
  type StoreProof,
  storeProofCodec,
  verifyProof,
} from './store/proof.js';
