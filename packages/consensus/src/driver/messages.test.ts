import { describe, expect, it } from 'vitest';
import { maxMsgBytes } from '../constants.js';
import { DecodeError } from '../errors.js';
import { type ConsensusMessage, decodeConsensusMessage, encodeConsensusMessage } from './messages.js';

/** The error `decodeConsensusMessage` throws for `bytes`, or undefined if it decodes. */
function refusal(bytes: Uint8Array): unknown {
  try {
    decodeConsensusMessage(bytes);
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('decodeConsensusMessage (bytes from a peer)', () => {
  it('refuses more than maxMsgBytes with DECODE_TOO_LARGE before decoding anything', () => {
    const error = refusal(new Uint8Array(maxMsgBytes + 1));
    expect(error, 'over maxMsgBytes: a DecodeError').toBeInstanceOf(DecodeError);
    expect((error as DecodeError).code, 'over maxMsgBytes: its code').toBe('DECODE_TOO_LARGE');
  });

  it('refuses junk of exactly maxMsgBytes as malformed, not as too large', () => {
    const error = refusal(new Uint8Array(maxMsgBytes));
    expect(error, 'junk at the limit: a DecodeError').toBeInstanceOf(DecodeError);
    expect((error as DecodeError).code, 'junk at the limit: not a size refusal').not.toBe('DECODE_TOO_LARGE');
  });

  it('refuses truncated and extended encodings with a DecodeError', () => {
    const status: ConsensusMessage = { kind: 'status', height: 3, round: 0, step: 1 };
    const bytes = encodeConsensusMessage(status);
    expect(decodeConsensusMessage(bytes), 'a well-formed status decodes').toEqual(status);
    expect(refusal(bytes.subarray(0, bytes.length - 1)), 'truncated').toBeInstanceOf(DecodeError);
    const extended = new Uint8Array([...bytes, 0]);
    expect(refusal(extended), 'trailing byte').toBeInstanceOf(DecodeError);
  });
});
