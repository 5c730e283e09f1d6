import { generateKeyPairFromSeed } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { libp2pKeyOf, peerIdOfNodeKey } from './node-key.js';

describe('the libp2p key of a node key', () => {
  it("is libp2p's own key of the seed: the same raw bytes, public key and peer id", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), async (seed) => {
        const ours = await libp2pKeyOf({ secretKey: seed });
        const theirs = await generateKeyPairFromSeed('Ed25519', seed);
        expect(ours.type).toBe('Ed25519');
        expect(Buffer.from(ours.raw).toString('hex')).toBe(Buffer.from(theirs.raw).toString('hex'));
        expect(ours.publicKey.equals(theirs.publicKey)).toBe(true);
        expect(await peerIdOfNodeKey({ secretKey: seed })).toBe(peerIdFromPrivateKey(theirs).toString());
      }),
      { numRuns: 50 },
    );
  });

  it('refuses a seed that is not 32 bytes', async () => {
    await expect(libp2pKeyOf({ secretKey: new Uint8Array(31) })).rejects.toThrow(TypeError);
  });
});
