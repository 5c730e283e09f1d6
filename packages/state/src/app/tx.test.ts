import { encode, generateKeyPair, verify } from '@joule/consensus';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTx, signTx, type Tx, txCodec, txSignatureVerifies, txSignBytes, txSignBytesOf } from './tx.js';

const key = generateKeyPair(new Uint8Array(32).fill(21));

const chainIds = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/);
const messages = fc.array(
  fc.record({
    type: fc.constantFrom('bank/send', 'market/set_energy_measure', 'a/b'),
    value: fc.uint8Array({ maxLength: 300 }),
  }),
  { minLength: 1, maxLength: 4 },
);

describe('txSignBytesOf', () => {
  it("gives txSignBytes's bytes for any decoded transaction, across chain ids, body sizes and memos", () => {
    fc.assert(
      fc.property(
        chainIds,
        fc.nat({ max: 2 ** 40 }),
        messages,
        fc.string({ unit: 'binary', maxLength: 100 }),
        (chainId, nonce, msgs, memo) => {
          const bytes = signTx(key.secretKey, { chainId, nonce, messages: msgs, memo });
          const tx = decodeTx(bytes, 65_536);
          // Twice: the first call for a chain id builds its prefix, the second reuses it.
          expect(txSignBytesOf(bytes, tx)).toEqual(txSignBytes(tx.body));
          expect(txSignBytesOf(bytes, tx)).toEqual(txSignBytes(tx.body));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps one prefix per chain id: a transaction of another chain gets its own chain id signed', () => {
    const a = signTx(key.secretKey, {
      chainId: 'chain-a',
      nonce: 1,
      messages: [{ type: 'a/b', value: new Uint8Array([1]) }],
    });
    const b = signTx(key.secretKey, {
      chainId: 'chain-b',
      nonce: 1,
      messages: [{ type: 'a/b', value: new Uint8Array([1]) }],
    });
    const ta = decodeTx(a, 65_536);
    const tb = decodeTx(b, 65_536);
    expect(txSignBytesOf(a, ta)).toEqual(txSignBytes(ta.body));
    expect(txSignBytesOf(b, tb)).toEqual(txSignBytes(tb.body));
    expect(txSignBytesOf(a, ta)).toEqual(txSignBytes(ta.body));
    expect(txSignBytesOf(a, ta)).not.toEqual(txSignBytesOf(b, tb));
  });

  it('re-encodes the body when the bytes are not laid out as a transaction (never reads the body from them)', () => {
    const bytes = signTx(key.secretKey, {
      chainId: 'shape',
      nonce: 2,
      messages: [{ type: 'a/b', value: new Uint8Array(7) }],
    });
    const tx: Tx = decodeTx(bytes, 65_536);
    const other = encode(txCodec, { ...tx, body: { ...tx.body, nonce: 3 } });
    // Another list header, another signature header: the body is encoded from `tx`, not sliced.
    for (const wrong of [Uint8Array.of(0x93, ...bytes.subarray(1)), other.subarray(0, other.length - 1)])
      expect(txSignBytesOf(wrong, tx)).toEqual(txSignBytes(tx.body));
  });
});

describe('txSignatureVerifies', () => {
  it('answers as the reference verifier of txSignBytes, for valid and tampered transactions of any size and chain', () => {
    fc.assert(
      fc.property(
        chainIds,
        fc.nat({ max: 2 ** 40 }),
        messages,
        fc.string({ unit: 'binary', maxLength: 100 }),
        fc.nat(),
        (chainId, nonce, msgs, memo, flip) => {
          const bytes = signTx(key.secretKey, { chainId, nonce, messages: msgs, memo });
          const tx = decodeTx(bytes, 65_536);
          // Twice: the first call for a chain id builds its prefix, the second writes into the scratch.
          expect(txSignatureVerifies(bytes, tx)).toBe(true);
          expect(txSignatureVerifies(bytes, tx)).toBe(true);
          // One bit of the body or of the signature flipped: a transaction that still decodes, refused.
          const tampered = bytes.slice();
          const at = 1 + (flip % (bytes.length - 1));
          tampered[at] = (tampered[at] as number) ^ 0x01;
          let decoded: Tx;
          try {
            decoded = decodeTx(tampered, 65_536);
          } catch {
            return;
          }
          const expected = verify(decoded.body.signer, txSignBytes(decoded.body), decoded.signature);
          expect(txSignatureVerifies(tampered, decoded)).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('does not let a longer transaction verified before leave bytes in the scratch that a shorter one reads', () => {
    const long = signTx(key.secretKey, {
      chainId: 'scratch',
      nonce: 1,
      messages: [{ type: 'a/b', value: new Uint8Array(3000).fill(9) }],
    });
    const short = signTx(key.secretKey, {
      chainId: 'scratch',
      nonce: 2,
      messages: [{ type: 'a/b', value: new Uint8Array([1]) }],
    });
    const tl = decodeTx(long, 65_536);
    const ts = decodeTx(short, 65_536);
    expect(txSignatureVerifies(long, tl)).toBe(true);
    expect(txSignatureVerifies(short, ts)).toBe(true);
    // The short transaction's signature over the long one's body is refused.
    expect(txSignatureVerifies(long, { ...tl, signature: ts.signature })).toBe(false);
  });
});
