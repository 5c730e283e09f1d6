import { randomBytes } from 'node:crypto';
import { generateKeyPair, VoteType } from '@joule/consensus';
import { afterEach, describe, expect, it } from 'vitest';
import { gridEdges, TestNet } from '../testkit/test-net.js';

let net: TestNet | null = null;
afterEach(async () => {
  await net?.stop();
  net = null;
});

describe('the consensus gossip’s verdict and invalid-signature caches', () => {
  it('stay within the bounds they are given, and say what they hold', async () => {
    const verdictCacheEntries = 8;
    const invalidSignatureCacheBytes = 1_024;
    net = await TestNet.create({
      nodes: 4,
      validators: [0, 1, 2, 3],
      edges: gridEdges(2, 2),
      consensus: { verdictCacheEntries, invalidSignatureCacheBytes },
    });
    await net.start();
    // Each height brings a proposal and 2 votes of each of 4 validators: more verdicts than 8.
    await net.waitForHeight(4, 20_000);
    for (const node of net.nodes) {
      const consensus = node.parts?.consensus;
      if (consensus === undefined) throw new Error(`${node.name} not running`);
      expect(consensus.verdictEntries, `${node.name}: the verdict cache is full`).toBe(verdictCacheEntries);
      expect(consensus.signatures.invalidBytes, `${node.name}: honest peers, no invalid signature`).toBe(0);
    }
    // 20 distinct bad signatures, ~170 bytes each as the cache counts them: only the last few stay.
    const signatures = net.node(0).parts?.consensus.signatures;
    if (signatures === undefined) throw new Error('n0 not running');
    const publicKey = generateKeyPair(new Uint8Array(32).fill(5)).publicKey;
    for (let i = 0; i < 20; i++) {
      const vote = {
        type: VoteType.Prevote,
        height: 1,
        round: 0,
        blockId: null,
        timestamp: 1_767_225_600_000 + i,
        validatorAddress: new Uint8Array(20),
        validatorIndex: 0,
        signature: randomBytes(64),
      };
      expect(signatures.vote(net.genesis.chainId, vote, publicKey)).toBe(false);
    }
    expect(signatures.failed).toBe(20);
    expect(signatures.invalidBytes, 'within the bound').toBeLessThanOrEqual(invalidSignatureCacheBytes);
    expect(signatures.invalidBytes, 'filled to it').toBeGreaterThan(invalidSignatureCacheBytes / 2);
  });
});
