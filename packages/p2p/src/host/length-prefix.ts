import { InvalidDataLengthLengthError, LengthPrefixedDecoder } from '@libp2p/utils';

/*
 * libp2p's readers of length-prefixed frames learn that a length prefix is not all there yet from
 * a `RangeError` its decoder throws: `lpStream.read` reads a varint prefix a byte at a time and
 * tries to decode it after each (a frame of 128 bytes or more, a vote, has a two-byte prefix: one
 * throw a frame), and Noise's `LengthPrefixedDecoder` tries its two-byte prefix once more after
 * every chunk of the socket, on the empty rest (one throw a chunk). Each throw built a new error
 * with its stack trace, ~6 µs in a shallow stack and more in the reader's. The readers below throw
 * one `RangeError` made once instead: the readers catch it exactly as before (`RangeError`: wait
 * for more bytes), so nothing else changes.
 */

/** Thrown, never built again, when a length prefix is not complete yet. */
const incomplete = new RangeError('length prefix incomplete');

/** The bytes the readers hand their length decoders. */
type Bytes = Uint8Array | { readonly byteLength: number; get(index: number): number };

/** Longest varint `uint8-varint` (libp2p's length decoder) reads: 8 bytes. */
const maxVarintBytes = 8;

/**
 * An unsigned varint length prefix, as `uint8-varint`'s `decode` reads it (at most 8 bytes, little
 * end first, 7 bits a byte); throws the one `incomplete` error where that throws a new `RangeError`
 * for a prefix not ended yet. A prefix whose 8 bytes have not ended it never will: that is an
 * `InvalidDataLengthLengthError` (the gossip reader penalizes it), where `uint8-varint` throws a
 * `RangeError` and `lpStream`, taking it for a prefix not read whole, reads on a byte at a time and
 * keeps every byte (a peer sending 0x80 for ever grew the reader's heap ~110 bytes a byte).
 */
export function varintLength(data: Bytes): number {
  const n = Math.min(data.byteLength, maxVarintBytes);
  let value = 0;
  let scale = 1;
  for (let i = 0; i < n; i++) {
    const b = data instanceof Uint8Array ? (data[i] as number) : data.get(i);
    value += (b & 0x7f) * scale;
    if (b < 0x80) return value;
    scale *= 0x80;
  }
  if (n === maxVarintBytes) throw new InvalidDataLengthLengthError('length prefix longer than 8 bytes');
  throw incomplete;
}

let installed = false;

/**
 * Makes every `LengthPrefixedDecoder` of this process (Noise's frames) skip its length decoder on
 * an empty buffer, throwing the one `incomplete` error where the decoder would have thrown a new
 * `RangeError` (every length decoder does on no bytes). Idempotent.
 */
export function lengthPrefixWithoutNewErrors(): void {
  if (installed) return;
  const proto = LengthPrefixedDecoder.prototype as unknown as {
    decode(this: DecoderFields, buf: unknown): Generator<unknown>;
  };
  const decode = proto.decode;
  if (typeof decode !== 'function') throw new Error('LengthPrefixedDecoder has no decode');
  installed = true;
  proto.decode = function (this: DecoderFields, buf: unknown): Generator<unknown> {
    const lengthDecoder = this.lengthDecoder;
    if (typeof lengthDecoder === 'function' && !wrapped.has(lengthDecoder)) {
      const checked = (data: Bytes): number => {
        if (data.byteLength === 0) throw incomplete;
        return lengthDecoder(data);
      };
      wrapped.add(checked);
      this.lengthDecoder = checked;
    }
    return decode.call(this, buf);
  };
}

/** What the patch reads and sets of a decoder (a field public at run time). */
interface DecoderFields {
  lengthDecoder: (data: Bytes) => number;
}

/** Length decoders this module put in place (so a decoder is wrapped once). */
const wrapped = new WeakSet<(data: Bytes) => number>();
