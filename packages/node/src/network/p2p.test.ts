import { generateKeyPair } from '@joule/consensus';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { defaultConfig, parseConfig } from '../home/config.js';
import { profileOf } from '../home/profile.js';
import type { NetworkContext } from './network.js';
import { p2pNetwork } from './p2p.js';

const F = 'config.toml';

describe('[p2p] allow_peers', () => {
  it('parses a list of peer ids, empty by default', () => {
    expect(defaultConfig().p2p.allow_peers).toEqual([]);
    const id = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA';
    expect(parseConfig(`[p2p]\nallow_peers = ["${id}"]\n`, F).p2p.allow_peers).toEqual([id]);
  });

  it('refuses an entry that is not a peer id with a ConfigError naming the setting', async () => {
    const config = { ...defaultConfig().p2p, listen: ['/ip4/127.0.0.1/tcp/0'], allow_peers: ['nope'] };
    const context = {
      config,
      profile: profileOf('server'),
      configFile: F,
      nodeKey: generateKeyPair(new Uint8Array(32).fill(9)),
    } as unknown as NetworkContext;
    const error = await p2pNetwork(context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as Error).message)).toMatch(/allow_peers/);
  });
});
