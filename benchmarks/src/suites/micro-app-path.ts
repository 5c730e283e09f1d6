import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addressOf, formatAddress, Mempool } from '@joule/consensus';
import { market } from '@joule/market';
import { ClassicKvStore, coreModules, txMessage } from '@joule/state';
import { TestChain, testGenesisTimeMs, testKey } from '@joule/state/testkit';
import type { Row } from '../report.js';
import { stringPrices } from './settlement.js';

/** Signers of the sample, each with a meter (as the throughput suite's 64 senders). */
const signers = 64;
const txsPerBlock = 200;
/** Blocks measured, after `warmBlocks` unmeasured ones. */
const blocks = 45;
const warmBlocks = 5;
const chunkBlocks = 5;
/** Blocks' worth of transactions the pool holds when a block commits (each is rechecked this many times). */
const poolBlocks = 2;
const slotSeconds = 900;

/**
 * One node's application path for the throughput suite's transactions (a measure, then a bank send
 * of 1 unit, in turn; 64 signers), over a real `App` on LevelDB behind a consensus `Mempool`: each
 * transaction admitted (`checkTx`: ante, signature, simulation), proposed (`processProposal`),
 * executed and committed (`finalizeBlock`, `commit`), and rechecked while it waits in the pool
 * (`poolBlocks` blocks deep). Process CPU per transaction, by phase; the ed25519 verify (about
 * 100 µs) is in the admission.
 */
export async function appPathRows(): Promise<Row[]> {
  const core = coreModules();
  const m = market({}, { bank: core.bank.keeper });
  const admin = testKey(1);
  const keys = Array.from({ length: signers }, (_, i) => testKey(100 + i));
  const addresses = keys.map((k) => addressOf(k.publicKey));
  const bech = (a: Uint8Array) => formatAddress(a, 'joule');
  const g = testGenesisTimeMs / 1000;
  const slots = (blocks + warmBlocks + poolBlocks + 1) * txsPerBlock;
  const tsStart = g - slots * slotSeconds;
  const dir = mkdtempSync(join(tmpdir(), 'joule-bench-app-path-'));
  const kv = new ClassicKvStore({ location: dir });
  try {
    const chain = await TestChain.create({
      kv,
      modules: [...core.modules, m],
      accounts: core.accounts,
      genesis: {
        bank: {
          balances: [admin.publicKey, ...keys.map((k) => k.publicKey)].map((p) => ({
            address: bech(addressOf(p)),
            denom: 'uect',
            amount: '1000000000',
          })),
        },
        market: {
          admin: bech(addressOf(admin.publicKey)),
          meters: addresses.map((a, i) => ({ meterId: `m${i}`, account: bech(a) })),
          periods: [{ tsStart, tsEnd: g, slotSeconds, ...stringPrices }],
        },
      },
    });
    await chain.block();
    const app = chain.app;
    const pool = new Mempool({ maxTxs: (poolBlocks + 1) * txsPerBlock }, { app });
    const nonces = new Array<number>(signers).fill(0);
    let signed = 0;
    const nextTxs = async (): Promise<Uint8Array[]> => {
      const out: Uint8Array[] = [];
      for (let t = 0; t < txsPerBlock; t++) {
        const n = signed++;
        const s = n % signers;
        const slot = Math.floor(n / signers);
        const message =
          Math.floor(n / signers) % 2 === 0
            ? txMessage(m.msg.setEnergyMeasure, {
                meterId: `m${s}`,
                tsStart: tsStart + slot * slotSeconds,
                tsEnd: tsStart + (slot + 1) * slotSeconds,
                signal: 'consumption',
                value: 100 + (n % 500),
              })
            : txMessage(core.bank.msg.send, {
                to: addresses[(s + 1) % signers] as Uint8Array,
                denom: 'uect',
                amount: 1n,
              });
        const nonce = nonces[s] as number;
        nonces[s] = nonce + 1;
        out.push(await chain.tx(keys[s] as (typeof keys)[number], [message], { nonce }));
      }
      return out;
    };
    // Per-transaction CPU of each phase in each chunk of `chunkBlocks` blocks; the median chunk is
    // reported, so that a burst of another process on a shared machine moves one chunk, not the row.
    const chunks: { admit: number; propose: number; execute: number; commit: number }[] = [];
    let us = { admit: 0, propose: 0, execute: 0, commit: 0 };
    const cpu = (): number => {
      const u = process.cpuUsage();
      return u.user + u.system;
    };
    // Signed before anything is measured, so that no phase collects the signer's garbage.
    const signedBlocks: Uint8Array[][] = [];
    for (let b = 0; b < poolBlocks + warmBlocks + blocks; b++) signedBlocks.push(await nextTxs());
    for (const tx of signedBlocks.splice(0, poolBlocks).flat()) await pool.add(tx);
    for (let b = 0; b < warmBlocks + blocks; b++) {
      const measured = b >= warmBlocks;
      const incoming = signedBlocks[b] as Uint8Array[];
      let t = cpu();
      await Promise.all(incoming.map((tx) => pool.add(tx)));
      if (measured) us.admit += cpu() - t;
      t = cpu();
      const txs = pool.reap(-1, -1).slice(0, txsPerBlock);
      if ((await app.processProposal({ txs } as never)) !== 'accept') throw new Error('proposal refused');
      if (measured) us.propose += cpu() - t;
      t = cpu();
      const response = await chain.finalize(txs);
      if (measured) us.execute += cpu() - t;
      const failed = response.txResults.find((r) => r.code !== 0);
      if (failed !== undefined) throw new Error(`a transaction failed: ${failed.codespace} ${failed.log}`);
      t = cpu();
      await pool.commitWith(chain.height, txs, () => chain.commitFinalized());
      if (measured) us.commit += cpu() - t;
      if (measured && (b - warmBlocks + 1) % chunkBlocks === 0) {
        chunks.push(us);
        us = { admit: 0, propose: 0, execute: 0, commit: 0 };
      }
    }
    const median = (f: (c: (typeof chunks)[number]) => number): number => {
      const sorted = chunks.map(f).sort((a, b) => a - b);
      return Number(((sorted[Math.floor(sorted.length / 2)] ?? 0) / (chunkBlocks * txsPerBlock)).toFixed(1));
    };
    return [
      {
        name: `app path: ${txsPerBlock}-tx blocks of measures and bank sends, ${signers} signers, pool ${poolBlocks} blocks deep (CPU µs per tx, median of ${chunks.length} runs of ${chunkBlocks} blocks)`,
        admitUs: median((c) => c.admit),
        proposeUs: median((c) => c.propose),
        executeUs: median((c) => c.execute),
        commitAndRecheckUs: median((c) => c.commit),
        totalUs: median((c) => c.admit + c.propose + c.execute + c.commit),
      },
    ];
  } finally {
    await kv.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
