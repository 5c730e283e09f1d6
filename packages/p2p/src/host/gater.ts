import type { ConnectionGater, PeerId } from '@libp2p/interface';
import type { Multiaddr } from '@multiformats/multiaddr';

/** Who may connect: an optional allow-list of peer ids, the peers banned for their score, a cap per IP. */
export interface GaterPolicy {
  /** `null`: anyone may connect (still subject to bans and connection limits). */
  readonly allowList: ReadonlySet<string> | null;
  isBanned(peer: string): boolean;
  /** Addresses the node may dial; the default allows every address. */
  readonly allowAddress?: (address: Multiaddr) => boolean;
  /** Most open connections from one IP address; a further inbound one is refused. Default: no cap. */
  readonly maxConnectionsPerIp?: number;
  /** Open connections whose remote address is `ip` (needed with `maxConnectionsPerIp`). */
  readonly connectionsFrom?: (ip: string) => number;
  /** Loopback addresses (127.0.0.0/8, ::1) are not capped (a local testnet). Default `true`. */
  readonly exemptLoopback?: boolean;
}

/** The IP address of a multiaddr (`/ip4/…` or `/ip6/…` first), or `null`. */
export function ipOf(address: Multiaddr): string | null {
  const first = address.getComponents()[0];
  return first !== undefined && (first.name === 'ip4' || first.name === 'ip6') ? (first.value ?? null) : null;
}

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1';
}

/**
 * A connection gater over a policy: a permissioned energy community knows its nodes, so a peer
 * outside the allow-list is refused once the encrypted handshake has proven its id, on either side
 * of the connection; a banned peer is refused the same way until its ban ends. An inbound
 * connection from an IP address that already holds `maxConnectionsPerIp` is refused before the
 * handshake (no Noise CPU spent on it): peer ids cost nothing, addresses do. Loopback is exempt by
 * default: whoever connects from it is on the machine already.
 */
export function policyGater(policy: GaterPolicy): ConnectionGater {
  const deny = (peer: PeerId): boolean => {
    const id = peer.toString();
    if (policy.isBanned(id)) return true;
    return policy.allowList !== null && !policy.allowList.has(id);
  };
  const perIp = policy.maxConnectionsPerIp;
  const from = policy.connectionsFrom;
  return {
    denyDialPeer: (peer) => deny(peer),
    denyDialMultiaddr: (address) => (policy.allowAddress ? !policy.allowAddress(address) : false),
    denyInboundConnection: (connection) => {
      if (perIp === undefined || from === undefined) return false;
      const ip = ipOf(connection.remoteAddr);
      if (ip === null || (policy.exemptLoopback !== false && isLoopback(ip))) return false;
      return from(ip) >= perIp;
    },
    denyInboundEncryptedConnection: (peer) => deny(peer),
    denyOutboundEncryptedConnection: (peer) => deny(peer),
    denyInboundUpgradedConnection: (peer) => deny(peer),
    denyOutboundUpgradedConnection: (peer) => deny(peer),
  };
}
