/** The chain store's types come from @joule/consensus, which defines the contract. */
export {
  type ChainState,
  type ChainStore,
  type ConsensusParams,
  chainStateCodec,
  consensusParamsCodec,
} from '@joule/consensus';
