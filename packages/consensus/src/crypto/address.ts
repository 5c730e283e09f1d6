import { bech32 } from '@scure/base';
import { addressBytes, publicKeyBytes } from '../constants.js';
import { AddressError, InvalidValueError } from '../errors.js';
import { sha256 } from './hash.js';

/** The address of a public key: the first 20 bytes of its SHA-256 (as CometBFT). */
export function addressOf(publicKey: Uint8Array): Uint8Array {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== publicKeyBytes) {
    throw new InvalidValueError(`public key must be ${publicKeyBytes} bytes`);
  }
  return sha256(publicKey).subarray(0, addressBytes);
}

/** Longest bech32 string accepted: the BIP-173 limit of 90 characters. */
export const maxBech32Length = 90;
const PREFIX = /^[a-z][a-z0-9]{0,19}$/;

/** The bech32 form of a 20-byte address with a chain prefix (such as `joule1…`). */
export function formatAddress(address: Uint8Array, prefix: string): string {
  if (!PREFIX.test(prefix)) throw new AddressError(`bad bech32 prefix "${prefix}"`, { prefix });
  if (!(address instanceof Uint8Array) || address.length !== addressBytes) {
    throw new AddressError(`address must be ${addressBytes} bytes`);
  }
  return bech32.encode(prefix, bech32.toWords(address), maxBech32Length);
}

/** Parses a bech32 address and checks its prefix and length; throws `AddressError` naming the problem. */
export function parseAddress(text: string, prefix: string): Uint8Array {
  if (typeof text !== 'string') throw new AddressError('address must be a string');
  let decoded: { prefix: string; words: number[] };
  try {
    decoded = bech32.decode(text as `${string}1${string}`, maxBech32Length);
  } catch (cause) {
    throw new AddressError(`"${text.slice(0, 100)}" is not a valid bech32 string: ${String(cause)}`, {
      text,
    });
  }
  if (decoded.prefix !== prefix) {
    throw new AddressError(`address prefix is "${decoded.prefix}", expected "${prefix}"`, { text, prefix });
  }
  let bytes: Uint8Array;
  try {
    bytes = bech32.fromWords(decoded.words);
  } catch (cause) {
    throw new AddressError(`address has bad padding: ${String(cause)}`, { text });
  }
  if (bytes.length !== addressBytes) {
    throw new AddressError(`address holds ${bytes.length} bytes, expected ${addressBytes}`, { text });
  }
  return bytes;
}
