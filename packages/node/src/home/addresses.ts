/**
 * Checks of the addresses in config.toml, at load: the multiaddrs of `[p2p]` and the `host:port`
 * of `[api] listen`. Each problem comes with the fix, and CometBFT's forms (`tcp://host:port`,
 * `id@host:port`) are recognised and answered with the multiaddr to write instead.
 */

/** What is wrong with a value and how to write it. */
export interface AddressProblem {
  readonly problem: string;
  readonly fix: string;
}

export type AddressFormat = 'listen' | 'peer' | 'peerId' | 'hostPort';

const base58 = '[1-9A-HJ-NP-Za-km-z]';
/** A libp2p peer id of an ed25519 key (`12D3KooW…`) or of an RSA/SHA-256 key (`Qm…`). */
const peerIdPattern = new RegExp(`^(12D3KooW${base58}{44}|Qm${base58}{44})$`);
const ip4 = /^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}$/;
const dnsName =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const ip6 = /^[0-9A-Fa-f:.]{2,45}$/;

export function checkAddress(format: AddressFormat, value: string, key: string): AddressProblem | undefined {
  switch (format) {
    case 'listen':
      return checkMultiaddr(value, key, false);
    case 'peer':
      return checkMultiaddr(value, key, true);
    case 'peerId':
      return peerIdPattern.test(value)
        ? undefined
        : {
            problem: `"${value}" is not a peer id`,
            fix: 'write the node id of that node (`joule show-node-id --home …` prints it: 12D3KooW…)',
          };
    case 'hostPort':
      return checkHostPort(value, key);
  }
}

/** `host` in a multiaddr: `/ip4/…`, `/ip6/…` or `/dns4/…`. */
function hostPart(host: string): string {
  const bare = host.replace(/^\[|\]$/g, '');
  if (ip4.test(bare)) return `/ip4/${bare}`;
  if (bare.includes(':')) return `/ip6/${bare}`;
  return `/dns4/${bare}`;
}

const portProblem = (port: string, listen: boolean): string | undefined => {
  const n = Number(port);
  const min = listen ? 0 : 1;
  return /^[0-9]{1,5}$/.test(port) && n >= min && n <= 65_535
    ? undefined
    : `port ${port} is out of range (${min}–65535)`;
};

function checkMultiaddr(value: string, key: string, needsPeer: boolean): AddressProblem | undefined {
  const example = needsPeer ? '"/ip4/192.168.1.20/tcp/26656/p2p/12D3KooW…"' : '"/ip4/0.0.0.0/tcp/26656"';
  // CometBFT's forms: [id@]host:port and tcp://[id@]host:port.
  const comet = /^(?:tcp:\/\/)?(?:([^@/\s]+)@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):([0-9]+)$/.exec(value);
  if (comet !== null && !value.startsWith('/')) {
    const [, id, host = '', port = ''] = comet;
    const badPort = portProblem(port, !needsPeer);
    if (badPort !== undefined)
      return { problem: `"${key}" has "${value}": ${badPort}`, fix: 'use a port up to 65535' };
    let tail = '';
    let note = '';
    if (id !== undefined && peerIdPattern.test(id)) tail = `/p2p/${id}`;
    else if (id !== undefined) {
      tail = '/p2p/<node id>';
      note = ` ("${id}" is not a Joule node id: \`joule show-node-id\` on that node prints it)`;
    } else if (needsPeer) {
      tail = '/p2p/<node id>';
      note = ' (`joule show-node-id` on that node prints its id)';
    }
    const suggestion = `${hostPart(host)}/tcp/${port}${tail}`;
    return {
      problem: `"${key}" has "${value}", CometBFT's form; Joule takes libp2p multiaddrs`,
      fix: `write "${suggestion}"${note}`,
    };
  }
  const parts = value.split('/');
  const [empty, proto, host = '', transport, port = '', ...rest] = parts;
  if (empty !== '' || proto === undefined)
    return { problem: `"${key}" has "${value}", not a multiaddr`, fix: `write it like ${example}` };
  const hostOk =
    (proto === 'ip4' && ip4.test(host)) ||
    (proto === 'ip6' && ip6.test(host)) ||
    ((proto === 'dns4' || proto === 'dns6' || proto === 'dns') && dnsName.test(host));
  if (!hostOk)
    return {
      problem: `"${key}" has "${value}": "/${proto}/${host}" is not an /ip4, /ip6 or /dns4 address`,
      fix: `write it like ${example}`,
    };
  if (transport !== 'tcp')
    return {
      problem: `"${key}" has "${value}": Joule's transport is TCP`,
      fix: `write it like ${example}`,
    };
  const badPort = portProblem(port, !needsPeer);
  if (badPort !== undefined)
    return { problem: `"${key}" has "${value}": ${badPort}`, fix: 'use a port up to 65535' };
  const [p2p, id, ...more] = rest;
  if (p2p === undefined) {
    if (!needsPeer) return undefined;
    return {
      problem: `"${key}" has "${value}" without /p2p/<node id>`,
      fix: `append the peer's node id: "${value}/p2p/<node id>" (\`joule show-node-id --home …\` on that node prints it)`,
    };
  }
  if (p2p !== 'p2p' || id === undefined || more.length > 0)
    return {
      problem: `"${key}" has "${value}": only /p2p/<node id> may follow the port`,
      fix: `write it like ${example}`,
    };
  if (!needsPeer)
    return {
      problem: `"${key}" has "${value}": a listen address has no /p2p/<node id>`,
      fix: `write "/${proto}/${host}/tcp/${port}"`,
    };
  if (!peerIdPattern.test(id))
    return {
      problem: `"${key}" has "${value}": "${id}" is not a node id`,
      fix: 'write the node id of that node (`joule show-node-id --home …` on it prints 12D3KooW…)',
    };
  return undefined;
}

function checkHostPort(value: string, key: string): AddressProblem | undefined {
  const example = '"127.0.0.1:26657"';
  const scheme = /^(tcp|https?):\/\/(.*)$/.exec(value);
  if (scheme !== null)
    return {
      problem: `"${key}" is "${value}"; it takes host:port without a scheme`,
      fix: `write "${(scheme[2] as string).replace(/\/$/, '')}"`,
    };
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):([0-9]+)$/.exec(value);
  if (m === null) {
    const host = /^[A-Za-z0-9.-]+$/.test(value) ? value : '127.0.0.1';
    return {
      problem: `"${key}" is "${value}"; expected host:port`,
      fix: `write "${host}:26657" (keep 127.0.0.1 unless a proxy guards the API), e.g. ${example}`,
    };
  }
  const host = m[1] as string;
  const hostOk = host.startsWith('[') ? ip6.test(host.slice(1, -1)) : ip4.test(host) || dnsName.test(host);
  if (!hostOk)
    return { problem: `"${key}" is "${value}": "${host}" is not a host`, fix: `write it like ${example}` };
  const badPort = portProblem(m[2] as string, true);
  if (badPort !== undefined)
    return { problem: `"${key}" is "${value}": ${badPort}`, fix: 'use a port up to 65535' };
  return undefined;
}
