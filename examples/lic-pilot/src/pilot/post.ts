import { parseAddress } from '@joule/consensus';
import { maxSlotsPerMeasures } from '@joule/market';
import { type TxMessage, txMessage } from '@joule/state';
import type { CommunityData } from '../community/types.js';
import { Progress } from '../progress.js';
import { committed, height, modules, Patience, sleep, submitAll } from './chain.js';
import type { Community } from './setup.js';

/** Meter `i`'s consumption and production of slot `k`: what its meter reports for that quarter hour. */
export function slotMeasures(data: CommunityData, i: number, meterId: string, k: number): TxMessage[] {
  const tsStart = data.tsStart + k * data.slotSeconds;
  const tsEnd = tsStart + data.slotSeconds;
  const measure = (signal: 'consumption' | 'production', value: number) =>
    txMessage(modules.market.msg.setEnergyMeasure, { meterId, tsStart, tsEnd, signal, value });
  return [
    measure('consumption', data.consumption[i]?.[k] ?? 0),
    measure('production', data.production[i]?.[k] ?? 0),
  ];
}

/**
 * Meter `i`'s consumption and production of slots `[first, end)` in one `set_energy_measures`
 * message, as a concentrator back-filling a day sends them.
 */
export function daySlotsMessage(
  data: CommunityData,
  i: number,
  meterId: string,
  first: number,
  end: number,
): TxMessage {
  const consumption: number[] = [];
  const production: number[] = [];
  for (let k = first; k < end; k++) {
    consumption.push(data.consumption[i]?.[k] ?? 0);
    production.push(data.production[i]?.[k] ?? 0);
  }
  const tsStart = data.tsStart + first * data.slotSeconds;
  return txMessage(modules.market.msg.setEnergyMeasures, { meterId, tsStart, consumption, production });
}

/** Slots per transaction: a day of quarter hours, one `set_energy_measures` message. */
export const slotsPerTx = maxSlotsPerMeasures;
/** Committed transactions looked up at once while checking the results. */
const checkConcurrency = 8;

export interface PostResult {
  readonly txs: number;
  readonly measures: number;
  readonly firstHeight: number;
  readonly lastHeight: number;
  readonly seconds: number;
}

/**
 * Every meter back-fills the month as a concentrator does after an outage: for each quarter hour
 * its consumption and its production (zeros too), a day of slots to a transaction (one
 * `set_energy_measures` message), submitted in nonce
 * order to the meter's own node, as many transactions to a request as the API takes (waiting out a
 * full mempool on the node's retry hint). The meters run side by side. Resolves when every transaction is
 * in a block, checked one by one (a refused measure stops the pilot with its code).
 */
export async function postMeasures(data: CommunityData, community: Community): Promise<PostResult> {
  const t0 = performance.now();
  const firstHeight = await height(community.admin.client);
  const progress = new Progress('slots posted', data.slots * data.meters.length);
  let posted = 0;
  let lastHeight = firstHeight;
  const watch = setInterval(() => {
    void height(community.admin.client).then(
      (h) => {
        lastHeight = h;
        // The line moves while submissions wait for room in a full mempool.
        if (posted < data.slots * data.meters.length) report();
      },
      () => undefined,
    );
  }, 1_000);
  const report = () => {
    const seconds = (performance.now() - t0) / 1000;
    const txs = posted / slotsPerTx;
    progress.update(posted, `height ${lastHeight} · ${(txs / seconds).toFixed(0)} tx/s submitted`);
  };
  const hashes: { meter: number; hash: string; what: string }[] = [];
  try {
    await Promise.all(
      community.meters.map(async (signer, i) => {
        const txs: TxMessage[][] = [];
        for (let s = 0; s < data.slots; s += slotsPerTx)
          txs.push([daySlotsMessage(data, i, signer.meterId, s, Math.min(s + slotsPerTx, data.slots))]);
        const what = (j: number) => `${signer.meterId}'s measures from slot ${j * slotsPerTx}`;
        let admitted = 0;
        const sent = await submitAll(signer, txs, what, (n) => {
          posted += Math.min(n * slotsPerTx, data.slots) - Math.min(admitted * slotsPerTx, data.slots);
          admitted = n;
          report();
        });
        sent.forEach((hash, j) => {
          hashes.push({ meter: i, hash, what: what(j) });
        });
      }),
    );
    progress.done(`every measure admitted at height ${lastHeight}`);
    // Wait until the chain has taken every transaction: each signer's nonce on chain reaches the
    // next one it would use (one query per meter, while the nodes are busy executing blocks).
    const check = new Progress('transactions in blocks', hashes.length);
    const start = community.meters.map((m, i) => m.nonce - hashes.filter((h) => h.meter === i).length);
    await untilNoncesReach(community, start, (done) => check.update(done, `height ${lastHeight}`));
    // Then every transaction's result (a failed one also takes its nonce), now that the chain is idle.
    let checked = 0;
    await Promise.all(
      Array.from({ length: checkConcurrency }, async (_, worker) => {
        for (let j = worker; j < hashes.length; j += checkConcurrency) {
          const h = hashes[j] as (typeof hashes)[number];
          const client = (community.meters[h.meter] ?? community.admin).client;
          lastHeight = Math.max(lastHeight, await committed(client, h.hash, h.what));
          checked++;
        }
      }),
    );
    check.done(`${checked} results checked, the last at height ${lastHeight}`);
  } finally {
    clearInterval(watch);
  }
  return {
    txs: hashes.length,
    measures: data.slots * data.meters.length * 2,
    firstHeight,
    lastHeight,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Resolves once every meter's account nonce on chain equals the signer's next nonce. */
async function untilNoncesReach(
  community: Community,
  start: readonly number[],
  progress: (done: number) => void,
): Promise<void> {
  const patience = new Patience(community.admin.client);
  for (;;) {
    const nonces = await Promise.all(
      community.meters.map(async (s) => {
        const account = await s.client.account(parseAddress(s.address, 'joule')).catch(() => null);
        return account?.nonce ?? 0;
      }),
    );
    const done = nonces.reduce((sum, n, i) => sum + n - (start[i] ?? 0), 0);
    progress(done);
    if (community.meters.every((s, i) => (nonces[i] ?? 0) >= s.nonce)) return;
    await patience.check('waiting for the measures to reach blocks');
    await sleep(1_000);
  }
}
