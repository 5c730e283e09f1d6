import { describe, expect, it } from 'vitest';
import { decode, encode } from '../codec/canonical.js';
import { packWire } from '../codec/wire.js';
import { maxTotalVotingPower } from '../constants.js';
import { generateKeyPair } from '../crypto/ed25519.js';
import { DecodeError, InvalidValueError } from '../errors.js';
import { merkleRoot } from '../merkle/rfc6962.js';
import {
  indexOfValidator,
  makeValidator,
  makeValidatorSet,
  totalVotingPower,
  validatorSetCodec,
  validatorSetHash,
} from './validator-set.js';

const keys = Array.from({ length: 4 }, (_, i) => generateKeyPair(new Uint8Array(32).fill(i + 1)).publicKey);

describe('validator sets', () => {
  it('are sorted by power descending, then address ascending', () => {
    const set = makeValidatorSet([
      makeValidator(keys[0] as Uint8Array, 1n),
      makeValidator(keys[1] as Uint8Array, 5n),
      makeValidator(keys[2] as Uint8Array, 1n),
      makeValidator(keys[3] as Uint8Array, 3n),
    ]);
    expect(set.validators.map((v) => v.votingPower)).toEqual([5n, 3n, 1n, 1n]);
    const [a, b] = [set.validators[2], set.validators[3]];
    expect(Buffer.compare(a?.address as Uint8Array, b?.address as Uint8Array)).toBeLessThan(0);
    expect(totalVotingPower(set)).toBe(10n);
    expect(indexOfValidator(set, set.validators[1]?.address as Uint8Array)).toBe(1);
    expect(indexOfValidator(set, new Uint8Array(20))).toBe(-1);
  });

  it('round-trip through the codec', () => {
    const set = makeValidatorSet(keys.map((k, i) => makeValidator(k, BigInt(i + 1), BigInt(-i))));
    expect(decode(validatorSetCodec, encode(validatorSetCodec, set))).toEqual(set);
  });

  it('hash pubKey and power only, not priorities', () => {
    const set = makeValidatorSet(keys.map((k) => makeValidator(k, 10n)));
    const moved = {
      validators: set.validators.map((v, i) => ({ ...v, proposerPriority: BigInt(i * 7 - 3) })),
    };
    expect(validatorSetHash(moved)).toEqual(validatorSetHash(set));
    const heavier = makeValidatorSet(keys.map((k, i) => makeValidator(k, i === 0 ? 11n : 10n)));
    expect(validatorSetHash(heavier)).not.toEqual(validatorSetHash(set));
    expect(validatorSetHash(set)).not.toEqual(merkleRoot([]));
  });

  it('refuse duplicates, wrong addresses, zero power, disorder and too much power', () => {
    const v = makeValidator(keys[0] as Uint8Array, 1n);
    expect(() => makeValidatorSet([v, v])).toThrow(/duplicate address/);
    expect(() => makeValidatorSet([])).toThrow(/at least one/);
    expect(() => makeValidatorSet([{ ...v, address: new Uint8Array(20) }])).toThrow(/does not match/);
    expect(() => makeValidatorSet([makeValidator(keys[0] as Uint8Array, 0n)])).toThrow(InvalidValueError);
    expect(() =>
      makeValidatorSet([
        makeValidator(keys[0] as Uint8Array, maxTotalVotingPower),
        makeValidator(keys[1] as Uint8Array, 1n),
      ]),
    ).toThrow(/exceeds/);
    // Out of order on the wire: decoding refuses it.
    const set = makeValidatorSet([
      makeValidator(keys[0] as Uint8Array, 2n),
      makeValidator(keys[1] as Uint8Array, 1n),
    ]);
    const wire = [
      [...set.validators].reverse().map((x) => [x.address, x.pubKey, x.votingPower, x.proposerPriority]),
    ];
    expect(() => decode(validatorSetCodec, packWire(wire))).toThrow(DecodeError);
  });
});
