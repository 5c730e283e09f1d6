import { describe, expect, it } from 'vitest';
import { checkAddress } from './addresses.js';

const id = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo';

describe('config addresses', () => {
  it('accepts the multiaddrs and host:port forms Joule uses', () => {
    const good: [Parameters<typeof checkAddress>[0], string][] = [
      ['listen', '/ip4/0.0.0.0/tcp/26656'],
      ['listen', '/ip4/127.0.0.1/tcp/0'],
      ['listen', '/ip6/::/tcp/26656'],
      ['listen', '/dns4/board7.lic.example/tcp/26656'],
      ['peer', `/ip4/192.168.1.20/tcp/26656/p2p/${id}`],
      ['peer', `/dns4/board7.lic.example/tcp/26656/p2p/${id}`],
      ['peerId', id],
      ['hostPort', '127.0.0.1:26657'],
      ['hostPort', '0.0.0.0:0'],
      ['hostPort', 'localhost:26657'],
      ['hostPort', '[::1]:26657'],
    ];
    for (const [format, value] of good)
      expect(checkAddress(format, value, 'k'), `${format} ${value}`).toBeUndefined();
  });

  it('answers each mistake with the value to write', () => {
    const bad: [Parameters<typeof checkAddress>[0], string, RegExp][] = [
      ['listen', 'tcp://0.0.0.0:26656', /^write "\/ip4\/0\.0\.0\.0\/tcp\/26656"$/],
      ['listen', '0.0.0.0:26656', /^write "\/ip4\/0\.0\.0\.0\/tcp\/26656"$/],
      ['listen', `/ip4/0.0.0.0/tcp/26656/p2p/${id}`, /^write "\/ip4\/0\.0\.0\.0\/tcp\/26656"$/],
      ['listen', '/ip4/0.0.0.0/udp/26656', /multiaddr|like/],
      ['listen', '/ip4/300.0.0.1/tcp/26656', /like "\/ip4\/0\.0\.0\.0\/tcp\/26656"/],
      ['peer', `${id}@10.0.0.2:26656`, new RegExp(`^write "/ip4/10\\.0\\.0\\.2/tcp/26656/p2p/${id}"$`)],
      [
        'peer',
        `tcp://${id}@board7.lic.example:26656`,
        /^write "\/dns4\/board7\.lic\.example\/tcp\/26656\/p2p\/12D3/,
      ],
      ['peer', 'deadbeef@10.0.0.2:26656', /<node id>" \("deadbeef" is not a Joule node id/],
      ['peer', '/ip4/10.0.0.2/tcp/26656', /append the peer's node id/],
      ['peer', `/ip4/10.0.0.2/tcp/99999/p2p/${id}`, /port up to 65535/],
      ['peer', `/ip4/10.0.0.2/tcp/0/p2p/${id}`, /port up to 65535/],
      ['peer', '/ip4/10.0.0.2/tcp/26656/p2p/QmNope', /show-node-id/],
      ['peerId', 'alice', /show-node-id/],
      ['hostPort', 'localhost', /^write "localhost:26657"/],
      ['hostPort', 'http://127.0.0.1:26657/', /^write "127\.0\.0\.1:26657"$/],
      ['hostPort', '127.0.0.1:99999', /port up to 65535/],
      ['hostPort', 'bad host:1', /^write "127\.0\.0\.1:26657"/],
    ];
    for (const [format, value, fix] of bad) {
      const found = checkAddress(format, value, 'p2p.x');
      expect(found, `${format} ${value}`).toBeDefined();
      expect(found?.fix, `${format} ${value}`).toMatch(fix);
    }
  });
});
