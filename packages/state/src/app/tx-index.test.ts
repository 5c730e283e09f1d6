import { addressOf, formatAddress, generateKeyPair } from '@joule/consensus';
import { describe, expect, it } from 'vitest';
import { coreModules } from '../modules/core.js';
import { TestChain } from '../testkit/test-chain.js';
import { txHash, txMessage } from './tx.js';

const alice = generateKeyPair(new Uint8Array(32).fill(81));
const bob = generateKeyPair(new Uint8Array(32).fill(82));

async function chain(app = {}) {
  const core = coreModules();
  const c = await TestChain.create({
    modules: core.modules,
    accounts: core.accounts,
    genesis: {
      bank: {
        balances: [
          { address: formatAddress(addressOf(alice.publicKey), 'joule'), denom: 'kwh', amount: '100' },
        ],
      },
    },
    app,
  });
  const send = txMessage(core.bank.msg.send, { to: addressOf(bob.publicKey), denom: 'kwh', amount: 1n });
  return { c, send };
}

describe('the tx index', () => {
  it('keeps a committed success when the same tx is included again and fails', async () => {
    const { c, send } = await chain();
    await c.block([]);
    const tx = await c.tx(alice, [send]);
    const first = await c.block([tx, tx]);
    expect(first.txResults.map((r) => r.codespace)).toEqual(['', 'TX_BAD_NONCE']);
    const height = c.height;
    const replay = await c.block([tx]);
    expect(replay.txResults[0]?.codespace).toBe('TX_BAD_NONCE');
    const stored = await c.app.txResult(txHash(tx));
    expect([stored?.height, stored?.index, stored?.result.code], 'the success stays').toEqual([height, 0, 0]);
  });

  it('prunes a result only with the block that wrote it', async () => {
    const { c, send } = await chain({ retainBlocks: 2, pruneIntervalBlocks: 1 });
    await c.block([]);
    const early = await c.tx(alice, [send], { nonce: 1 });
    expect((await c.block([early])).txResults[0]?.codespace, 'nonce 1 before 0').toBe('TX_BAD_NONCE');
    const failedAt = c.height;
    expect((await c.app.txResult(txHash(early)))?.height).toBe(failedAt);
    await c.deliver(alice, send); // nonce 0
    expect((await c.block([early])).txResults[0]?.code, 'now nonce 1 is next').toBe(0);
    const succeededAt = c.height;
    await c.block([]); // retains the last 2 heights: the failure's block is pruned, the success's is not
    expect(await c.app.blockResults(failedAt)).toBeUndefined();
    expect(await c.app.blockResults(succeededAt)).toBeDefined();
    const stored = await c.app.txResult(txHash(early));
    expect([stored?.height, stored?.result.code], 'the later success is kept').toEqual([succeededAt, 0]);
  });
});
