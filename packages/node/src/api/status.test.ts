import { blockId, toHex } from '@joule/consensus';
import { makeBlock } from '@joule/consensus/internal';
import { describe, expect, it } from 'vitest';
import type { ApiContext } from './context.js';
import { coreRoutes } from './routes.js';

const hash = (b: number) => new Uint8Array(32).fill(b);
const block = (height: number) =>
  makeBlock(
    {
      chainId: 'status-1',
      height,
      time: 1_700_000_000_000 + height * 1000,
      lastBlockId: height === 1 ? null : { hash: hash(height - 1) },
      validatorsHash: hash(0xaa),
      nextValidatorsHash: hash(0xaa),
      appHash: hash(height),
      lastResultsHash: hash(0),
      proposerAddress: new Uint8Array(20),
    },
    [],
    [],
    null,
  );

/** A context whose block store holds `stored` blocks and whose application committed `committed`. */
function context(stored: number, committed: number): ApiContext {
  const blocks = new Map(Array.from({ length: stored }, (_, i) => [i + 1, block(i + 1)]));
  return {
    chainId: 'status-1',
    moniker: 'm',
    version: '0',
    validatorPubKey: new Uint8Array(32),
    store: { height: () => stored, base: () => 1, loadBlock: async (h: number) => blocks.get(h) ?? null },
    app: { info: async () => ({ lastBlockHeight: committed, lastBlockAppHash: hash(0xc0 + committed) }) },
    chainState: () => ({ appHash: hash(0xee), validators: { validators: [] } }),
    network: { nodeId: '12D3KooW', listenAddresses: () => [], catchingUp: () => false },
  } as unknown as ApiContext;
}

const status = (ctx: ApiContext) =>
  coreRoutes['/status']?.handler(ctx, new URLSearchParams(), undefined) as Promise<{
    sync_info: { latest_block_height: string; latest_block_hash: string; latest_app_hash: string };
  }>;

describe('/status', () => {
  it('reports the block store height when the application has committed it', async () => {
    const { sync_info } = await status(context(5, 5));
    expect(sync_info.latest_block_height).toBe('5');
    expect(sync_info.latest_block_hash).toBe(toHex(blockId(block(5)).hash));
    expect(sync_info.latest_app_hash).toBe(toHex(hash(0xee)));
  });

  it('does not report a decided block the application is still executing (staged, not durable)', async () => {
    // Block 6 is staged in the block store; its transactions are not in /tx until the commit.
    const { sync_info } = await status(context(6, 5));
    expect(sync_info.latest_block_height).toBe('5');
    expect(sync_info.latest_block_hash).toBe(toHex(blockId(block(5)).hash));
    expect(sync_info.latest_app_hash).toBe(toHex(hash(0xc5)));
  });
});
