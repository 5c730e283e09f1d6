import type { Application } from '../app/application.js';
import { KvApp, type KvDurable } from '../sim/kv-app.js';
import { delegateApp } from './cluster.js';

/**
 * The simulator's KvApp, except that a block without transactions leaves the app hash as it was
 * (KvApp chains every block into its hash, so its chain never idles). With it, a chain run with
 * `createEmptyBlocks=false` needs no proof block after an empty block, as a real application.
 */
export function quietKvApp(durable: KvDurable): Application {
  const inner = new KvApp(durable);
  let emptyHeight: number | null = null;
  return delegateApp(inner, {
    async finalizeBlock(request) {
      if (request.block.txs.length > 0) {
        emptyHeight = null;
        return inner.finalizeBlock(request);
      }
      emptyHeight = request.block.header.height;
      return { txResults: [], events: [], validatorUpdates: [], appHash: durable.appHash };
    },
    async commit() {
      if (emptyHeight === null) return inner.commit();
      durable.height = emptyHeight;
      emptyHeight = null;
      return { retainHeight: 0 };
    },
  });
}
