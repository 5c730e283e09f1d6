import {
  blockCodec,
  decode,
  encode,
  generateKeyPair,
  makeBlock,
  merkleRoot,
  sign,
  signVote,
  VoteType,
  verify,
  verifyFast,
  voteCodec,
  voteSignBytes,
} from '@joule/consensus';
import { Bench } from 'tinybench';
import type { SuiteResult } from '../report.js';

/**
 * Hot-path primitives: the canonical codec on a vote and a 200-tx block, ed25519 sign and verify
 * (noble and the native fast path), and the RFC 6962 root of 1 000 transactions.
 * Each task runs for `timeMs` (default 500 ms) after a warm-up.
 */
export async function micro(options: { timeMs: number }): Promise<SuiteResult> {
  const chainId = 'joule-bench';
  const { secretKey, publicKey } = generateKeyPair(new Uint8Array(32).fill(1));
  const vote = signVote(
    chainId,
    {
      type: VoteType.Precommit,
      height: 123_456,
      round: 0,
      blockId: { hash: new Uint8Array(32).fill(7) },
      timestamp: 1_764_000_000_000,
      validatorAddress: new Uint8Array(20).fill(2),
      validatorIndex: 3,
    },
    secretKey,
  );
  const voteBytes = encode(voteCodec, vote);
  const message = voteSignBytes(chainId, vote);
  const signature = sign(secretKey, message);
  // A block of 200 measure-sized transactions (~180 bytes each, like a setEnergyMeasure tx).
  const txs = Array.from({ length: 200 }, (_, i) => new Uint8Array(180).fill(i & 0xff));
  const block = makeBlock(
    {
      chainId,
      height: 2,
      time: 1_764_000_000_000,
      lastBlockId: { hash: new Uint8Array(32) },
      validatorsHash: new Uint8Array(32),
      nextValidatorsHash: new Uint8Array(32),
      appHash: new Uint8Array(32),
      lastResultsHash: new Uint8Array(32),
      proposerAddress: new Uint8Array(20),
    },
    txs,
    [],
    { height: 1, round: 0, blockId: { hash: new Uint8Array(32) }, signatures: [] },
  );
  const blockBytes = encode(blockCodec, block);
  const thousandTxs = Array.from({ length: 1000 }, (_, i) => new Uint8Array(180).fill(i & 0xff));

  const bench = new Bench({ time: options.timeMs, warmupTime: Math.min(200, options.timeMs) });
  bench
    .add('encode vote', () => void encode(voteCodec, vote))
    .add('decode vote (strict, canonical check)', () => void decode(voteCodec, voteBytes))
    .add(`encode block (200 txs, ${blockBytes.length} B)`, () => void encode(blockCodec, block))
    .add('decode block (200 txs)', () => void decode(blockCodec, blockBytes))
    .add('sign (noble)', () => void sign(secretKey, message))
    .add('verify (noble, ZIP-215)', () => void verify(publicKey, message, signature))
    .add('verify (native fast path)', () => void verifyFast(publicKey, message, signature))
    .add('merkle root of 1 000 txs', () => void merkleRoot(thousandTxs));
  await bench.run();

  return {
    suite: 'micro',
    rows: bench.tasks.map((task) => {
      const result = task.result;
      if (result.state !== 'completed') return { name: task.name, error: result.state };
      return {
        name: task.name,
        opsPerSec: Math.round(result.throughput.mean),
        meanUs: Number((result.latency.mean * 1000).toFixed(2)),
        p99Us: Number(((result.latency.p99 ?? result.latency.max) * 1000).toFixed(2)),
        rmePct: Number(result.throughput.rme.toFixed(1)),
        samples: result.latency.samplesCount,
      };
    }),
  };
}
