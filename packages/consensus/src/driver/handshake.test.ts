import { describe, expect, it } from 'vitest';
import { KvApp } from '../sim/kv-app.js';
import { TestCluster } from '../testkit/cluster.js';

/** A 4-validator chain at height 3 or more, with `v3` stopped: the node whose application a test breaks. */
async function stoppedAfterThreeHeights(): Promise<{
  cluster: TestCluster;
  node: TestCluster['nodes'][number];
}> {
  const cluster = new TestCluster({ validators: 4 });
  await cluster.startAll();
  expect(await cluster.runUntil(() => cluster.minHeight() >= 3, 60_000), 'three heights').toBe(true);
  const node = cluster.node('v3');
  await cluster.stop(node);
  return { cluster, node };
}

describe('handshake: a start that cannot bring the application level with the store is a typed error', () => {
  it('an application ahead of the block store: HANDSHAKE_APP_AHEAD', async () => {
    const { cluster, node } = await stoppedAfterThreeHeights();
    const ahead = KvApp.empty();
    ahead.height = node.store.height() + 1;
    node.kv = ahead;
    await expect(cluster.start(node), 'the start refuses an application ahead').rejects.toMatchObject({
      name: 'HandshakeError',
      code: 'HANDSHAKE_APP_AHEAD',
    });
  });

  it('a replay that yields another app hash than the chain: HANDSHAKE_APP_HASH_DIVERGED', async () => {
    const { cluster, node } = await stoppedAfterThreeHeights();
    const diverged = KvApp.empty();
    diverged.height = node.store.height() - 1;
    diverged.appHash = new Uint8Array(32).fill(9);
    node.kv = diverged;
    await expect(cluster.start(node), 'the start refuses a diverged application').rejects.toMatchObject({
      name: 'HandshakeError',
      code: 'HANDSHAKE_APP_HASH_DIVERGED',
    });
  });
});
