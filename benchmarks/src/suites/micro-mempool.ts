import { type CheckTxResponse, Mempool } from '@joule/consensus';
import { Bench } from 'tinybench';
import type { Row } from '../report.js';
import { benchRow } from './bench-row.js';

const batchTxs = 200;
const txBytes = 180;
const ok: CheckTxResponse = { code: 0, codespace: '', log: '', gasWanted: 1 };

/**
 * The mempool's own cost per batch of 200 transactions of 180 bytes, the application stubbed (its
 * `checkTx` answers at once, its `txSender` is the first 32 bytes): admitted into an empty pool and
 * removed by a block; and refused `MEMPOOL_FULL` by a full pool, as relayed copies and re-sent
 * submissions are under load.
 */
export async function mempoolPrimitives(timeMs: number): Promise<Row[]> {
  const app = {
    checkTx: async (): Promise<CheckTxResponse> => ok,
    txSender: (tx: Uint8Array) => tx.subarray(0, 32),
  };
  let round = 0;
  const fresh = (): Uint8Array[] => {
    round++;
    return Array.from({ length: batchTxs }, (_, i) => {
      const tx = new Uint8Array(txBytes).fill(i & 0xff);
      new DataView(tx.buffer).setUint32(40, round);
      new DataView(tx.buffer).setUint32(44, i);
      return tx;
    });
  };
  const open = new Mempool({ maxTxs: 10 * batchTxs }, { app });
  let height = 0;
  const full = new Mempool({ maxTxs: batchTxs }, { app });
  await Promise.all(fresh().map((tx) => full.add(tx)));
  const refused = fresh();
  const admit = `mempool: ${batchTxs} adds of ${txBytes} B txs, then the block that commits them (checkTx stubbed)`;
  const refuse = `mempool: ${batchTxs} adds refused MEMPOOL_FULL (checkTx stubbed)`;
  const bench = new Bench({ time: timeMs, warmupTime: Math.min(200, timeMs) });
  bench
    .add(admit, async () => {
      const txs = fresh();
      await Promise.all(txs.map((tx) => open.add(tx)));
      await open.update(++height, txs);
    })
    .add(refuse, async () => {
      await Promise.allSettled(refused.map((tx) => full.add(tx)));
    });
  await bench.run();
  return bench.tasks.map(benchRow);
}
