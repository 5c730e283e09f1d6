import { publicKeyOf } from '@joule/consensus';
import { privateKeyFromRaw } from '@libp2p/crypto/keys';
import type { PeerId, PrivateKey } from '@libp2p/interface';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';

/** The part of a node key the network needs: the ed25519 seed (32 bytes), as `KeyPair.secretKey`. */
export interface NodeKey {
  readonly secretKey: Uint8Array;
}

/**
 * The libp2p private key of a node key: the same ed25519 seed, so the node's peer id is derived
 * from the node's own public key (as CometBFT's node id is) and no second key file exists. The
 * public key is derived natively (`publicKeyOf`) and handed to libp2p as its raw seed ‖ public key:
 * libp2p's own derivation from a seed builds noble's table of base-point multiples, ~0.6 MB of heap
 * kept for the life of the node.
 */
export async function libp2pKeyOf(key: NodeKey): Promise<PrivateKey> {
  if (!(key.secretKey instanceof Uint8Array) || key.secretKey.length !== 32) {
    throw new TypeError('a node key is a 32-byte ed25519 seed');
  }
  const raw = new Uint8Array(64);
  raw.set(key.secretKey);
  raw.set(publicKeyOf(key.secretKey), 32);
  return privateKeyFromRaw(raw);
}

/** The peer id (as a string) a node key gives on the network. */
export async function peerIdOfNodeKey(key: NodeKey): Promise<string> {
  const id: PeerId = peerIdFromPrivateKey(await libp2pKeyOf(key));
  return id.toString();
}
