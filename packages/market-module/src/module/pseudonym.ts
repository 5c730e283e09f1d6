import { sha256, toHex } from '@joule/consensus';

const blockBytes = 64;

/** HMAC-SHA-256 (RFC 2104) over @joule/consensus's SHA-256. */
export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  const k = new Uint8Array(blockBytes);
  k.set(key.length > blockBytes ? sha256(key) : key);
  const inner = k.map((b) => b ^ 0x36);
  const outer = k.map((b) => b ^ 0x5c);
  return sha256(outer, sha256(inner, message));
}

/**
 * The on-chain id of a meter in pseudonymous mode: `p:` and the hex HMAC-SHA-256 of its serial
 * under the admin's secret key. The admin keeps the map serial → id; the chain never sees serials.
 */
export function pseudonymousMeterId(adminKey: Uint8Array, serial: string): string {
  if (adminKey.length < 16) throw new RangeError('the pseudonym key needs at least 16 bytes');
  return `p:${toHex(hmacSha256(adminKey, new TextEncoder().encode(serial)))}`;
}
