/**
 * `npm start` — the Lugaggia Innovation Community pilot. The running network (nodes, market,
 * settlement) arrives with @joule/node and @joule/market; until then this shows what the
 * foundation already does with the pilot's four validators: keys, addresses, a validator set, a
 * first block, and a commit signed by all four and verified.
 */
import {
  blockId,
  CommitFlag,
  formatAddress,
  generateKeyPair,
  makeBlock,
  makeValidator,
  makeValidatorSet,
  merkleRoot,
  signVote,
  toHex,
  VoteType,
  validatorSetHash,
  verifyCommit,
} from '@joule/consensus';

const chainId = 'lic-1';
const names = ['kindergarten-a', 'kindergarten-b', 'house-03', 'house-11'];
// Deterministic demo keys, one per validator board (never use fixed seeds for a real network).
const keys = names.map((_, i) => generateKeyPair(new Uint8Array(32).fill(i + 1)));
const set = makeValidatorSet(keys.map((k) => makeValidator(k.publicKey, 10n)));

console.log('Joule — Lugaggia Innovation Community pilot (foundation preview)\n');
console.log('Validators (4 of the 20 nodes in LIC.md):');
for (const [i, v] of set.validators.entries()) {
  const who =
    names[keys.findIndex((k) => Buffer.compare(makeValidator(k.publicKey, 1n).address, v.address) === 0)];
  console.log(`  ${i}  ${formatAddress(v.address, 'lic')}  power ${v.votingPower}  ${who}`);
}

const txs = [new TextEncoder().encode('meter house-03 slot 0 consumption 2500 Wh')];
const block = makeBlock(
  {
    chainId,
    height: 1,
    time: Date.UTC(2026, 0, 1),
    lastBlockId: null,
    validatorsHash: validatorSetHash(set),
    nextValidatorsHash: validatorSetHash(set),
    appHash: new Uint8Array(32),
    lastResultsHash: merkleRoot([]),
    proposerAddress: set.validators[0]?.address ?? new Uint8Array(20),
  },
  txs,
  [],
  null,
);
const id = blockId(block);
const signatures = set.validators.map((v, i) => {
  const secret = keys.find(
    (k) => Buffer.compare(makeValidator(k.publicKey, 1n).address, v.address) === 0,
  )?.secretKey;
  if (secret === undefined) throw new Error('missing key');
  const vote = signVote(
    chainId,
    {
      type: VoteType.Precommit,
      height: 1,
      round: 0,
      blockId: id,
      timestamp: block.header.time + 1000,
      validatorAddress: v.address,
      validatorIndex: i,
    },
    secret,
  );
  return {
    flag: CommitFlag.Commit,
    validatorAddress: v.address,
    timestamp: vote.timestamp,
    signature: vote.signature,
  };
});
verifyCommit(chainId, set, id, 1, { height: 1, round: 0, blockId: id, signatures });
console.log(
  `\nBlock 1 ${toHex(id.hash).slice(0, 16)}… with ${txs.length} tx: commit of 4/4 precommits verified.`,
);
console.log(
  '\nNext: the consensus engine, LevelDB state, libp2p, the node and the market module (see README).',
);
