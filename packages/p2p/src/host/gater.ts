import type { ConnectionGater, PeerId } from '@libp2p/interface';
import type { Multiaddr } from '@multiformats/multiaddr';

/** Who may connect: an optional allow-list of peer ids, and the peers banned for their score. */
export interface GaterPolicy {
  /** `null`: anyone may connect (still subject to bans and connection limits). */
  readonly allowList: ReadonlySet<string> | null;
  isBanned(peer: string): boolean;
  /** Addresses the node may dial; the default allows every address. */
  readonly allowAddress?: (address: Multiaddr) => boolean;
}

/**
 * A connection gater over a policy: a permissioned energy community knows its nodes, so a peer
 * outside the allow-list is refused once the encrypted handshake has proven its id, on either side
 * of the connection; a banned peer is refused the same way until its ban ends.
 */
export function policyGater(policy: GaterPolicy): ConnectionGater {
  const deny = (peer: PeerId): boolean => {
    const id = peer.toString();
    if (policy.isBanned(id)) return true;
    return policy.allowList !== null && !policy.allowList.has(id);
  };
  return {
    denyDialPeer: (peer) => deny(peer),
    denyDialMultiaddr: (address) => (policy.allowAddress ? !policy.allowAddress(address) : false),
    denyInboundEncryptedConnection: (peer) => deny(peer),
    denyOutboundEncryptedConnection: (peer) => deny(peer),
    denyInboundUpgradedConnection: (peer) => deny(peer),
    denyOutboundUpgradedConnection: (peer) => deny(peer),
  };
}
