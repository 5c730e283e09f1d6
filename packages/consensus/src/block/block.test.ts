import { describe, expect, it } from 'vitest';
import { decode, encode } from '../codec/canonical.js';
import { DecodeError } from '../errors.js';
import { merkleRoot } from '../merkle/rfc6962.js';
import { blockCodec, blockId, decodeBlock, encodeBlock, makeBlock, txsHash } from './block.js';
import { headerHash } from './header.js';

const fields = {
  chainId: 'lic-1',
  height: 1,
  time: 1_700_000_000_000,
  lastBlockId: null,
  validatorsHash: new Uint8Array(32).fill(1),
  nextValidatorsHash: new Uint8Array(32).fill(1),
  appHash: new Uint8Array(32),
  lastResultsHash: merkleRoot([]),
  proposerAddress: new Uint8Array(20).fill(3),
};

describe('blocks', () => {
  const txs = [new Uint8Array([1, 2, 3]), new Uint8Array([4])];
  const block = makeBlock(fields, txs, [], null);

  it('commit to their transactions through the data hash, and round-trip', () => {
    expect(block.header.dataHash).toEqual(txsHash(txs));
    expect(decodeBlock(encodeBlock(block))).toEqual(block);
    expect(blockId(block).hash).toEqual(headerHash(block.header));
  });

  it('are encoded once per block object, as the codec encodes them', () => {
    const bytes = encodeBlock(block);
    expect(bytes, 'the canonical encoding').toEqual(encode(blockCodec, block));
    expect(encodeBlock(block), 'the same bytes again, not a second encoding').toBe(bytes);
    const other = makeBlock(fields, [new Uint8Array([5])], [], null);
    expect(encodeBlock(other), "another block's own bytes").toEqual(encode(blockCodec, other));
  });

  it('are refused when the header does not match the contents', () => {
    const tampered = { ...block, txs: [new Uint8Array([9])] };
    expect(() => encode(blockCodec, tampered)).toThrow(/dataHash/);
    // The same tampering on the wire: encode the parts by hand, bypassing the check.
    const wire = encode(blockCodec, block);
    const changed = wire.slice();
    changed[changed.indexOf(4, wire.length - 10)] = 5; // the last transaction's byte
    expect(() => decode(blockCodec, changed)).toThrow(DecodeError);
  });

  it('need a last commit exactly when not at the first height', () => {
    expect(() =>
      encode(
        blockCodec,
        makeBlock({ ...fields, height: 2, lastBlockId: { hash: new Uint8Array(32) } }, [], [], null),
      ),
    ).toThrow(/last commit/);
  });

  it('change id when any header field changes', () => {
    const later = makeBlock({ ...fields, time: fields.time + 1 }, txs, [], null);
    expect(blockId(later).hash).not.toEqual(blockId(block).hash);
  });
});
