import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addressOf, encode, formatAddress } from '@joule/consensus';
import {
  type MeterReading,
  market,
  minSolveBudget,
  type SlotReadings,
  settlePeriod,
  slotsPerChunk,
} from '@joule/market';
import {
  ClassicKvStore,
  coreModules,
  defaultHookWorkBudget,
  SeededRandom,
  TestChain,
  testGenesisTimeMs,
  testKey,
} from '@joule/state';
import type { Row, SuiteResult } from '../report.js';

const prices = {
  pBuyBAU: 21_000_000n,
  pSellBAU: 6_000_000n,
  pBuyLEM: 16_000_000n,
  pSellLEM: 9_000_000n,
  beta: 2_000n,
};

/** Slots of `meters` meters, generated one at a time (memory stays at one slot's readings). */
function* month(meters: number, slots: number, seed: number): Generator<SlotReadings> {
  const rng = new SeededRandom(seed);
  const names = Array.from({ length: meters }, (_, i) => `m${i}`);
  for (let s = 0; s < slots; s++) {
    const readings: MeterReading[] = [];
    for (let i = 0; i < meters; i++) {
      const name = names[i] as string;
      readings.push({
        meter: name,
        account: name,
        cons: BigInt(rng.below(400)),
        prod: i % 5 === 0 ? BigInt(rng.below(900)) : 0n,
      });
    }
    yield { tsStart: s * 900, readings };
  }
}

/** The pure settlement of a month (what the audit runs, and the chain's arithmetic), streamed. */
function pureMonth(meters: number, slots: number): Row {
  let peakHeap = 0;
  const slotsIter = month(meters, slots, 7);
  const sampled = (function* () {
    for (const slot of slotsIter) {
      if (slot.tsStart % (900 * 96) === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
      yield slot;
    }
  })();
  const start = performance.now();
  const result = settlePeriod({ prices, slots: sampled, keepSlots: false, expectedMeters: meters });
  const ms = performance.now() - start;
  return {
    name: `pure settlePeriod, ${meters.toLocaleString('en')} meters × ${slots.toLocaleString('en')} slots (streamed)`,
    'total s': Math.round(ms) / 1000,
    'µs/meter-slot': Math.round((ms * 1000 * 100) / (meters * slots)) / 100,
    'peak heap MB': Math.round(peakHeap / 2 ** 20),
    check: result.deltas.size === meters ? 'ok' : 'bad',
  };
}

/**
 * The on-chain solve through `App` at a hook budget: a sample community (one chunk of 128 slots)
 * measured block by block, then extrapolated to 10 000 meters × 2 880 slots by work units
 * ((chunk, meter) pairs and account payments), which is how the solve's cost scales.
 */
async function onChain(meters: number, budget: number): Promise<Row> {
  const core = coreModules();
  const admin = testKey(1);
  const bech = (i: number) => formatAddress(addressOf(testKey(100 + (i % 200)).publicKey), 'joule');
  const g = testGenesisTimeMs / 1000;
  const slots = slotsPerChunk;
  const tsStart = g - slots * 900;
  const rng = new SeededRandom(3);
  const measures: unknown[] = [];
  for (let s = 0; s < slots; s++)
    for (let i = 0; i < meters; i++)
      measures.push({
        meterId: `m${i}`,
        tsStart: tsStart + s * 900,
        cons: rng.below(400),
        prod: i % 5 === 0 ? rng.below(900) : null,
      });
  const dir = mkdtempSync(join(tmpdir(), 'joule-bench-settlement-'));
  const kv = new ClassicKvStore({ location: dir });
  const chain = await TestChain.create({
    kv,
    modules: [...core.modules, market({}, { bank: core.bank.keeper })],
    accounts: core.accounts,
    app: { hookWorkBudget: budget },
    genesis: {
      bank: {
        balances: [
          {
            address: formatAddress(addressOf(admin.publicKey), 'joule'),
            denom: 'uect',
            amount: '1000000000000',
          },
          ...Array.from({ length: 200 }, (_, i) => ({
            address: bech(i),
            denom: 'uect',
            amount: '1000000000000',
          })),
        ],
      },
      market: {
        admin: formatAddress(addressOf(admin.publicKey), 'joule'),
        meters: Array.from({ length: meters }, (_, i) => ({ meterId: `m${i}`, account: bech(i) })),
        periods: [
          {
            tsStart,
            tsEnd: g,
            slotSeconds: 900,
            pBuyBAU: '21000000',
            pSellBAU: '6000000',
            pBuyLEM: '16000000',
            pSellLEM: '9000000',
            beta: '2000',
          },
        ],
        measures,
      },
    },
  });
  await chain.block();
  const m = market({}, { bank: core.bank.keeper });
  await chain.block([
    await chain.tx(admin, [{ type: m.msg.solveMarkets.type, value: encodeSolve(m, tsStart) }]),
  ]);
  const times: number[] = [];
  for (let n = 0; n < 100_000; n++) {
    const start = performance.now();
    const r = await chain.block();
    times.push(performance.now() - start);
    if (r.events.some((e) => e.type === 'market.solved')) break;
  }
  await chain.app.stop();
  await kv.stop();
  rmSync(dir, { recursive: true, force: true });
  const blocks = times.length + 1;
  const units = meters + 2 * Math.min(meters, 200);
  const monthUnits = 10_000 * Math.ceil(2_880 / slotsPerChunk) + 2 * 10_000;
  const monthBlocks = Math.ceil((monthUnits * blocks) / units);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  return {
    name: `on-chain solve at a hook budget of ${budget.toLocaleString('en')} units (${meters} meters × ${slots} slots measured)`,
    'ms/block': Math.round(mean * 100) / 100,
    'blocks measured': blocks,
    'units/block': Math.round((units / blocks) * 10) / 10,
    'month blocks (10k × 2 880, extrapolated)': monthBlocks,
    'month CPU s (extrapolated)': Math.round((monthBlocks * mean) / 1000),
  };
}

function encodeSolve(m: ReturnType<typeof market>, tsStart: number): Uint8Array {
  return encode(m.msg.solveMarkets.codec, { tsStart });
}

/**
 * `settlement`: the month-end settlement of 10 000 meters × 2 880 slots, by the pure function
 * (total time, memory), and on chain per block at the module's work budget (measured on a sample on LevelDB,
 * extrapolated by work units). `SETTLEMENT_SLOTS` shortens the pure run for a smoke test.
 */
export async function settlement(_options: { timeMs: number }): Promise<SuiteResult> {
  const slots = Number(process.env.SETTLEMENT_SLOTS ?? 2_880);
  const rows: Row[] = [pureMonth(10_000, slots)];
  for (const budget of [defaultHookWorkBudget, 1_000_000])
    rows.push(await onChain(250, Math.max(budget, minSolveBudget)));
  return { suite: 'settlement', rows };
}
