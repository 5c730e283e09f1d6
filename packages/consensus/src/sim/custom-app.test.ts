import { describe, expect, it } from 'vitest';
import type { Application } from '../app/application.js';
import { sha256 } from '../crypto/hash.js';
import { runScenario } from './scenario.js';

/**
 * What an application developer does: run their own application under the simulator's faults.
 * This one counts transactions; its committed state lives outside the instance (as on a disk), so
 * a crashed node restarts where it committed.
 */
function counterApp(durable: { height: number; count: number; appHash: Uint8Array }): Application {
  let pending: { height: number; count: number; appHash: Uint8Array } | null = null;
  const ok = { code: 0, codespace: '', log: '', gasWanted: 1 };
  return {
    info: async () => ({ lastBlockHeight: durable.height, lastBlockAppHash: durable.appHash }),
    initChain: async () => ({ validators: [], appHash: durable.appHash }),
    checkTx: async ({ tx }) => (tx.length === 8 ? ok : { ...ok, code: 1, codespace: 'BAD_TX' }),
    prepareProposal: async ({ txs }) => ({ txs: txs.filter((tx) => tx.length === 8) }),
    processProposal: async ({ txs }) => (txs.every((tx) => tx.length === 8) ? 'accept' : 'reject'),
    finalizeBlock: async ({ block }) => {
      const count = durable.count + block.txs.length;
      const appHash = sha256(durable.appHash, new Uint8Array([count & 0xff, count >> 8]));
      pending = { height: block.header.height, count, appHash };
      const txResults = block.txs.map(() => ({
        code: 0,
        codespace: '',
        log: '',
        data: new Uint8Array(0),
        gasWanted: 1,
        gasUsed: 1,
        events: [],
      }));
      return { txResults, events: [], validatorUpdates: [], appHash };
    },
    commit: async () => {
      if (pending !== null) Object.assign(durable, pending);
      return { retainHeight: 0 };
    },
    query: async () => ({
      code: 0,
      codespace: '',
      log: '',
      value: new Uint8Array(0),
      height: durable.height,
    }),
  };
}

describe('the simulator with an application of your own', () => {
  it('stays safe and live with a counter app under faults', { timeout: 120_000 }, async () => {
    for (let seed = 1; seed <= 10; seed++) {
      const stores = new Map<string, { height: number; count: number; appHash: Uint8Array }>();
      const result = await runScenario({
        seed,
        validators: 4,
        byzantine: 1,
        app: (node) => {
          let durable = stores.get(node);
          if (durable === undefined) {
            durable = { height: 0, count: 0, appHash: sha256(new Uint8Array(0)) };
            stores.set(node, durable);
          }
          return counterApp(durable);
        },
        tx: (i) => new Uint8Array(8).fill(i & 0xff),
      });
      expect(result.safetyViolations, `seed ${seed}`).toEqual([]);
      expect(result.livenessFailure, `seed ${seed}`).toBeNull();
      expect(result.validityViolations, `seed ${seed}`).toEqual([]);
      expect(result.heightsDecided, `seed ${seed}`).toBeGreaterThanOrEqual(5);
    }
  });
});
