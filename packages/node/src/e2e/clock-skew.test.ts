import { afterAll, describe, expect, it } from 'vitest';
import type { JouleClient } from '../client/index.js';
import { type SpawnedTestnet, spawnTestnet } from '../testkit/testnet.js';

/**
 * Clock skew on a real network: four validator processes (real LevelDB, libp2p over loopback), one
 * started five minutes ahead and one five minutes behind with `--testing.clock_offset_ms`. Block
 * time is the weighted median of the precommit timestamps, each at least 1 ms past the last block,
 * so it keeps increasing, follows the honest majority, and both skewed validators keep voting.
 */
const minute = 60_000;
const offsets = [0, 5 * minute, -5 * minute, 0];

describe('clock skew on a 4-validator testnet', () => {
  let net: SpawnedTestnet | undefined;
  afterAll(async () => {
    await net?.stop();
  });

  it('keeps block times increasing and near the honest clocks, with the skewed validators in the commits', {
    timeout: 180_000,
  }, async () => {
    const testnet = await spawnTestnet({
      validators: 4,
      nodes: 4,
      topology: 'mesh',
      basePort: 31_720,
      dirPrefix: 'joule-skew-',
      startArgs: (i) => [
        '--testing.clock_offset_ms',
        String(offsets[i]),
        '--consensus.create_empty_blocks',
        'true',
      ],
    });
    net = testnet;
    const { clients, procs } = testnet;
    const c0 = clients[0] as JouleClient;
    const target = 12;
    await testnet.waitForHeight(target, { timeoutMs: 120_000 });
    for (const [i, p] of procs.entries()) expect(p.exitCode, `node${i} still runs`).toBe(null);

    // Validator addresses by node, through their public keys.
    const set = await c0.validators();
    const addressOf = new Map(set.validators.map((v) => [v.pub_key, v.address]));
    const addresses = await Promise.all(
      clients.map(async (c) => addressOf.get((await c.status()).validator_info.pub_key) as string),
    );
    expect(new Set(addresses).size, 'four distinct validators').toBe(4);

    let last = 0;
    const signed = new Map<string, number>();
    const ahead: number[] = [];
    for (let h = 2; h <= target; h++) {
      const { signed_header } = await c0.commit(h);
      const time = Date.parse(signed_header.header.time as string);
      expect(time, `block ${h}'s time increases`).toBeGreaterThan(last);
      last = time;
      const sigs = signed_header.commit.signatures as {
        block_id_flag: number;
        validator_address: string;
        timestamp: string | null;
      }[];
      for (const s of sigs) {
        if (s.timestamp === null) continue;
        signed.set(s.validator_address, (signed.get(s.validator_address) ?? 0) + 1);
        if (s.validator_address === addresses[1]) ahead.push(Date.parse(s.timestamp) - time);
      }
    }
    // The block time follows the honest clocks (the wall clock here), not the one five minutes ahead.
    expect(Math.abs(last - Date.now()), 'the last block time is near the honest clocks').toBeLessThan(
      2 * minute,
    );
    // The option took effect: node1's precommits carry times minutes past the block they commit.
    expect(
      ahead.some((d) => d > 4 * minute),
      `node1's precommits run ahead (${ahead})`,
    ).toBe(true);
    for (const [i, a] of addresses.entries())
      expect(signed.get(a) ?? 0, `node${i} (offset ${offsets[i]} ms) signed commits`).toBeGreaterThan(0);
    // Every node holds the same chain.
    const hashes = await Promise.all(
      clients.map(async (c) => (await c.commit(target)).signed_header.header.app_hash),
    );
    expect(new Set(hashes).size, 'equal app hashes at the target height').toBe(1);

    expect(await testnet.terminate(), 'every node exits 0 on SIGTERM').toEqual([0, 0, 0, 0]);
  });
});
