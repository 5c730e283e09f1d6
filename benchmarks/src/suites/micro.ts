import { mkdtemp, open, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  blockCodec,
  blockId,
  decode,
  encode,
  FileSignerStore,
  FileWal,
  generateKeyPair,
  merkleRoot,
  sign,
  signVote,
  VoteType,
  verify,
  voteCodec,
} from '@joule/consensus';
import { sha256, verifyFast, voteSignBytes } from '@joule/consensus/core';
import {
  encodeWalRecord,
  genesisValidatorSets,
  makeBlock,
  ProposerSchedule,
  proposerForRound,
  SignStep,
  signProposal,
} from '@joule/consensus/internal';
import { minSolveBudget } from '@joule/market';
import { BoundedSeenSet } from '@joule/p2p/internal';
import { ClassicKvStore, defaultHookWorkBudget } from '@joule/state';
import { Bench } from 'tinybench';
import type { Row, SuiteOptions, SuiteResult } from '../report.js';
import { benchRow } from './bench-row.js';
import { appPathRows } from './micro-app-path.js';
import { gossipPrimitives } from './micro-gossip.js';
import { mempoolPrimitives } from './micro-mempool.js';
import {
  measureBlocks,
  measureRow,
  monthMeters,
  monthSlots,
  onChainMeters,
  onChainRow,
  parseSlots,
  pureRow,
  settlementFigures,
  settleOnChain,
  settlePure,
} from './settlement.js';
import { withStoreBench } from './store.js';

/**
 * Hot-path primitives: the canonical codec on a vote and a 200-tx block, ed25519 sign and verify
 * (noble and the native fast path), the RFC 6962 root of 1 000 transactions, and the proposer of a
 * round (computed, and cached per height as the driver does), each for `timeMs`
 * (default 500 ms) after a warm-up; then blocks of 1 000 store writes at 10 000 and 100 000 keys
 * (app hash and synced commit on LevelDB), and the month's settlement of 10 000 meters × 2 880 slots
 * (`--slots N` shortens it), with figures against its targets. About a minute on two cores.
 */
export async function micro(options: SuiteOptions): Promise<SuiteResult> {
  const { values } = parseArgs({
    args: [...options.args],
    options: {
      slots: { type: 'string', default: String(monthSlots) },
      only: { type: 'string' },
    },
  });
  const slots = parseSlots(values.slots);
  if (values.only === 'primitives') {
    const p = options.progress('micro', primitiveTasks);
    const rows = await primitives(options.timeMs, (done, name) => p.tick(done, name));
    p.done();
    // The back-fill's application path: checkTx, then blocks, of 32-measure transactions.
    rows.push(measureRow(await measureBlocks(40, 8)));
    rows.push(measureRow(await measureBlocks(40, 8, 'day')));
    return { suite: 'micro', rows, figures: [] };
  }
  if (values.only === 'mempool')
    return { suite: 'micro', rows: await mempoolPrimitives(options.timeMs), figures: [] };
  if (values.only === 'app-path') return { suite: 'micro', rows: await appPathRows(), figures: [] };
  const storeSizes = [10_000, 100_000];
  if (values.only === 'store') {
    const rows: Row[] = [];
    for (const size of storeSizes) rows.push(await storeBlock(size, 1_000, options.timeMs));
    return { suite: 'micro', rows, figures: [] };
  }
  const p = options.progress('micro', primitiveTasks + storeSizes.length + 2);
  const rows = await primitives(options.timeMs, (done, name) => p.tick(done, name));
  rows.push(measureRow(await measureBlocks(40, 8)));
  rows.push(measureRow(await measureBlocks(40, 8, 'day')));
  rows.push(...(await gossipPrimitives(options.timeMs)));
  rows.push(...(await mempoolPrimitives(options.timeMs)));
  rows.push(...(await appPathRows()));
  // The settlement before the store, whose garbage would otherwise swell its peak heap.
  p.tick(primitiveTasks, 'settlement, pure');
  const pure = settlePure(monthMeters, slots);
  p.tick(primitiveTasks + 1, 'settlement, on chain');
  const chain = await settleOnChain(onChainMeters, Math.max(defaultHookWorkBudget, minSolveBudget));
  const storeRows: Row[] = [];
  for (const [i, size] of storeSizes.entries()) {
    p.tick(primitiveTasks + 2 + i, `store, ${size} keys`);
    storeRows.push(await storeBlock(size, 1_000, options.timeMs));
  }
  p.done();
  rows.push(...storeRows, pureRow(pure), onChainRow(chain));
  return { suite: 'micro', rows, figures: settlementFigures(pure, chain) };
}

/** The tinybench tasks of `primitives`, for the progress count. */
const primitiveTasks = 17;

/** A block of `writes` updates at a state of `size` keys: app hash (prepare) and synced commit. */
async function storeBlock(size: number, writes: number, timeMs: number): Promise<Row> {
  return withStoreBench(size, async (b) => {
    await b.fill(size);
    const s = await b.sampleBlocks({ writes, keyRange: size, timeMs });
    return {
      name: `store: block of ${writes.toLocaleString('en')} writes, state of ${size.toLocaleString('en')} keys`,
      'app hash ms': round(s.prepareMs),
      'commit ms': round(s.commitMs),
      'ms/block': round(s.totalMs),
      'writes/s': Math.round((writes * 1000) / s.totalMs),
      'nodes/write': round(s.nodesPerWrite),
      'ops/write': round(s.opsPerWrite),
      'bytes/version': Math.round(s.bytesPerVersion),
      samples: s.samples,
    };
  });
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** The hot-path primitives by tinybench, one task each; `tick` after each task. */
async function primitives(timeMs: number, tick: (done: number, name: string) => void): Promise<Row[]> {
  const chainId = 'joule-bench';
  const { secretKey, publicKey } = generateKeyPair(new Uint8Array(32).fill(1));
  const vote = signVote(
    chainId,
    {
      type: VoteType.Precommit,
      height: 123_456,
      round: 0,
      blockId: { hash: new Uint8Array(32).fill(7) },
      timestamp: 1_764_000_000_000,
      validatorAddress: new Uint8Array(20).fill(2),
      validatorIndex: 3,
    },
    secretKey,
  );
  const voteBytes = encode(voteCodec, vote);
  const message = voteSignBytes(chainId, vote);
  const signature = sign(secretKey, message);
  // A block of 200 measure-sized transactions (~180 bytes each, like a setEnergyMeasure tx).
  const txs = Array.from({ length: 200 }, (_, i) => new Uint8Array(180).fill(i & 0xff));
  const block = makeBlock(
    {
      chainId,
      height: 2,
      time: 1_764_000_000_000,
      lastBlockId: { hash: new Uint8Array(32) },
      validatorsHash: new Uint8Array(32),
      nextValidatorsHash: new Uint8Array(32),
      appHash: new Uint8Array(32),
      lastResultsHash: new Uint8Array(32),
      proposerAddress: new Uint8Array(20),
    },
    txs,
    [],
    { height: 1, round: 0, blockId: { hash: new Uint8Array(32) }, signatures: [] },
  );
  const blockBytes = encode(blockCodec, block);
  const thousandTxs = Array.from({ length: 1000 }, (_, i) => new Uint8Array(180).fill(i & 0xff));
  const wal = await filledWal(16 * 1024 * 1024);
  const seen = fullSeenSet(20_000);
  const proposal = signProposal(
    chainId,
    { height: 2, round: 0, polRound: -1, blockId: blockId(block), timestamp: 1_764_000_000_000 },
    secretKey,
  );
  const ownProposal = encodeWalRecord({
    kind: 'proposal',
    peer: 'self',
    message: { kind: 'proposal', proposal, block },
    valid: true,
  });
  const appender = await walAppender();
  const signerState = await signerSaves();
  const kv = await filledKv(100_000);
  // 100 validators of unequal power; round 2, as after two failed rounds.
  const set = genesisValidatorSets(
    Array.from({ length: 100 }, (_, i) => ({
      pubKey: generateKeyPair(new Uint8Array(32).fill(i + 2)).publicKey,
      power: BigInt(1 + (i % 7)),
    })),
  ).validators;
  const schedule = new ProposerSchedule(set, 16);

  const bench = new Bench({ time: timeMs, warmupTime: Math.min(200, timeMs) });
  bench
    .add('encode vote', () => void encode(voteCodec, vote))
    .add('decode vote (strict, canonical check)', () => void decode(voteCodec, voteBytes))
    .add(`encode block (200 txs, ${blockBytes.length} B)`, () => void encode(blockCodec, block))
    // A copy is a new object: its hashes are checked again (the first encode of a received block).
    .add('encode block (200 txs, new object)', () => void encode(blockCodec, { ...block }))
    .add('decode block (200 txs)', () => void decode(blockCodec, blockBytes))
    .add('sign (noble)', () => void sign(secretKey, message))
    .add('verify (noble, ZIP-215)', () => void verify(publicKey, message, signature))
    .add('verify (native fast path)', () => void verifyFast(publicKey, message, signature))
    .add('merkle root of 1 000 txs', () => void merkleRoot(thousandTxs))
    .add('WAL replay of a new height (16 MiB log)', async () => void (await wal.wal.replay(wal.nextHeight)))
    // The node's own proposal, once per height it proposes: unsynced before it was durable, fsynced now.
    .add(`WAL append of the own proposal (${ownProposal.length} B), unsynced`, () =>
      appender.append(ownProposal, false),
    )
    .add(`WAL append of the own proposal (${ownProposal.length} B), fsynced`, () =>
      appender.append(ownProposal, true),
    )
    // The double-sign guard's save, two or three times a height: as the file was replaced before, and now.
    .add('signer state save: file replaced (temp file, fsync, rename, directory fsync; before)', () =>
      signerState.replace(),
    )
    .add('signer state save: two copies overwritten in place (FileSignerStore)', () => signerState.save())
    // A state read that misses the caches: LevelDB answers from its block cache or the page cache.
    .add('LevelDB read of one of 100 000 keys (ClassicKvStore.get, thread pool)', () => kv.read())
    .add('LevelDB read of one of 100 000 keys (ClassicKvStore.getBlocking, in turns)', () =>
      kv.readBlocking(),
    )
    .add('seen-set insert into a full cache (20 000 entries)', () => void seen.insert())
    // What the driver paid per proposal, and what it pays now (ProposerSchedule per height).
    .add('proposer of round 2, 100 validators: computed', () => void proposerForRound(set, 2))
    .add('proposer of round 2, 100 validators: cached per height', () => void schedule.proposer(2));
  let done = 0;
  bench.addEventListener('cycle', (event) => tick(++done, event.task?.name ?? ''));
  try {
    await bench.run();
  } finally {
    await wal.close();
    await appender.close();
    await signerState.close();
    await kv.close();
  }

  return bench.tasks.map(benchRow);
}

/** A file WAL of about `bytes` (heights of 100 records of 1 KiB, 4 MiB segments), reopened. */
async function filledWal(
  bytes: number,
): Promise<{ wal: FileWal; nextHeight: number; close: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'joule-bench-wal-'));
  const options = { dir, maxSegmentBytes: 4 * 1024 * 1024, maxSegments: 4 };
  const writer = await FileWal.open(options);
  const record = new Uint8Array(1024).fill(9);
  const heights = Math.floor(bytes / (100 * record.length));
  for (let h = 1; h <= heights; h++) {
    await writer.startHeight(h);
    for (let i = 0; i < 100; i++) void writer.append(record);
  }
  await writer.close();
  const wal = await FileWal.open(options);
  return {
    wal,
    nextHeight: heights + 1,
    close: async () => {
      await wal.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A file WAL to append to; a height marker every 100 records lets it rotate (4 segments of 4 MiB
 * at most), so a long run does not fill the disk.
 */
async function walAppender(): Promise<{
  append: (record: Uint8Array, sync: boolean) => Promise<void>;
  close: () => Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'joule-bench-wal-append-'));
  const wal = await FileWal.open({ dir, maxSegmentBytes: 4 * 1024 * 1024, maxSegments: 4 });
  let records = 0;
  let height = 1;
  await wal.startHeight(height);
  return {
    append: async (record, sync) => {
      if (++records % 100 === 0) await wal.startHeight(++height);
      await wal.append(record, { sync });
    },
    close: async () => {
      await wal.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Saves of a signer state of a vote's size: by `FileSignerStore`, and by replacing a file as it
 * did before (remove a leftover temp file, write a new one, fsync, close, rename, fsync the directory).
 */
async function signerSaves(): Promise<{
  save: () => Promise<void>;
  replace: () => Promise<void>;
  close: () => Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'joule-bench-signer-'));
  const store = new FileSignerStore({ path: join(dir, 'signer_state.bin') });
  const path = join(dir, 'replaced.bin');
  let height = 0;
  const bytes = new Uint8Array(300).fill(7);
  return {
    save: () =>
      store.save({
        height: ++height,
        round: 0,
        step: SignStep.Prevote,
        signBytes: new Uint8Array(150).fill(5),
        signature: new Uint8Array(64).fill(9),
      }),
    replace: async () => {
      await rm(`${path}.tmp`, { force: true });
      const handle = await open(`${path}.tmp`, 'wx', 0o600);
      try {
        await handle.write(bytes, 0, bytes.length, 0);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(`${path}.tmp`, path);
      const directory = await open(dir, 'r');
      try {
        await directory.sync();
      } finally {
        await directory.close();
      }
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A LevelDB store of `keys` keys (32-byte hashes, 100-byte values) on disk, and a read of a random one. */
async function filledKv(keys: number): Promise<{
  read: () => Promise<unknown>;
  readBlocking: () => Promise<unknown>;
  close: () => Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'joule-bench-kv-'));
  const store = new ClassicKvStore({ location: dir });
  await store.start();
  const keyOf = (i: number) => sha256(new TextEncoder().encode(String(i)));
  const value = new Uint8Array(100).fill(3);
  for (let from = 0; from < keys; from += 10_000) {
    const ops = [];
    for (let i = from; i < Math.min(keys, from + 10_000); i++)
      ops.push({ type: 'put' as const, key: keyOf(i), value });
    await store.write(ops, { sync: false });
  }
  let n = 0;
  return {
    read: () => {
      n = (n * 7919 + 1) % keys;
      return store.get(keyOf(n));
    },
    readBlocking: () => {
      n = (n * 7919 + 1) % keys;
      return store.getBlocking(keyOf(n));
    },
    close: async () => {
      await store.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A gossip seen-set full at `entries` of 32-byte hashes, and a step that inserts the next one. */
function fullSeenSet(entries: number): { insert: () => void } {
  const seen = new BoundedSeenSet(entries);
  const hash = new Uint8Array(32);
  const view = new DataView(hash.buffer);
  let n = 0;
  const insert = (): void => {
    view.setUint32(0, n++);
    seen.add(hash);
  };
  for (let i = 0; i < 2 * entries; i++) insert();
  return { insert };
}
