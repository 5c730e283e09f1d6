import {
  addressOf,
  ConsensusDriver,
  DoubleSignGuard,
  type DuplicateVoteEvidence,
  defaultConsensusParams,
  EvidenceError,
  EvidencePool,
  type Genesis,
  MemorySignerStore,
  MemoryWal,
  Mempool,
  signVote,
  systemClock,
  VoteType,
} from '@joule/consensus';
import { makeDuplicateVoteEvidence } from '@joule/consensus/internal';
import { KvApp, type KvDurable } from '@joule/consensus/sim';
import { afterEach, describe, expect, it } from 'vitest';
import { ClassicKvStore } from '../kv/level-kv-store.js';
import { testGenesisTimeMs, testKey } from '../testkit/chain-fixtures.js';
import { tempDir } from '../testkit/temp-dir.js';
import { LevelChainStore } from './level-chain-store.js';

/**
 * Regression (reproduction): a restarted driver reloaded committed evidence from only the last
 * min(max age, 1 000) blocks, while evidence expires only past both the max-age blocks (100 000)
 * and the max-age duration (48 h). A block re-including evidence committed more than 1 000 blocks
 * earlier was refused by a node that had run all along and accepted by one that had restarted:
 * block validity depended on a node's history. Now the chain store indexes committed misbehaviour
 * on disk until it expires, and both nodes read the same index.
 *
 * One validator on LevelDB (classic-level), committing a block as soon as it has voted: it
 * equivocates at height 2, its own pool takes the evidence into a block, then the chain runs
 * 1 050 more blocks; the driver is stopped, the database closed and reopened, a new driver started.
 */

const CHAIN = 'evidence-restart';
const key = testKey(0);
const genesis: Genesis = {
  chainId: CHAIN,
  genesisTime: testGenesisTimeMs,
  initialHeight: 1,
  validators: [{ pubKey: key.publicKey, power: 10n }],
  consensusParams: defaultConsensusParams,
  appState: new Uint8Array(0),
};
const fast = {
  proposeMs: 200,
  proposeDeltaMs: 100,
  prevoteMs: 200,
  prevoteDeltaMs: 100,
  precommitMs: 200,
  precommitDeltaMs: 100,
  commitMs: 0,
};
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A node's parts over the database in `dir`: classic-level, the chain store, the pool, the driver. */
async function startNode(dir: string, app: KvDurable, signer: MemorySignerStore) {
  const kv = new ClassicKvStore({ location: dir });
  await kv.start();
  const store = new LevelChainStore({}, { kv });
  await store.start();
  const kvApp = new KvApp(app);
  const pool = new EvidencePool(
    {
      maxAgeBlocks: genesis.consensusParams.evidenceMaxAgeBlocks,
      maxAgeMs: genesis.consensusParams.evidenceMaxAgeMs,
    },
    { chainId: CHAIN, chain: store },
  );
  const guard = new DoubleSignGuard({ chainId: CHAIN }, { store: signer, secretKey: key.secretKey });
  await guard.init();
  const driver = new ConsensusDriver(
    { timeouts: fast, skipTimeoutCommit: true },
    {
      genesis,
      app: kvApp,
      store,
      wal: new MemoryWal(),
      transport: { broadcast() {}, send() {}, onMessage() {}, reportPeer() {} },
      clock: systemClock,
      signer: {
        address: addressOf(key.publicKey),
        signVote: (v) => guard.signVote(v),
        signProposal: (p) => guard.signProposal(p),
        lastSigned: () => guard.lastSigned(),
      },
      mempool: new Mempool({}, { app: kvApp }),
      evidence: pool,
    },
  );
  await driver.start();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await driver.stop();
    await store.stop();
    await kv.stop();
  };
  cleanups.push(stop);
  return { store, pool, driver, stop };
}

async function until(what: string, done: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 60_000; i++) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`gave up waiting: ${what}`);
}

/** The validator's two conflicting precommits for round 5 of height 2 (signed around its guard). */
function equivocation(): DuplicateVoteEvidence {
  const vote = (blockId: { hash: Uint8Array } | null) =>
    signVote(
      CHAIN,
      {
        type: VoteType.Precommit,
        height: 2,
        round: 5,
        blockId,
        timestamp: testGenesisTimeMs + 1,
        validatorAddress: addressOf(key.publicKey),
        validatorIndex: 0,
      },
      key.secretKey,
    );
  return makeDuplicateVoteEvidence(vote(null), vote({ hash: new Uint8Array(32).fill(7) }));
}

/** The pool's verdict on a next block carrying `evidence`. */
async function verdict(
  node: { store: LevelChainStore; pool: EvidencePool },
  evidence: DuplicateVoteEvidence,
): Promise<string> {
  const height = node.store.height();
  const time = (await node.store.loadBlockTime(height)) ?? 0;
  try {
    await node.pool.checkBlockEvidence([evidence], { height, time });
    return 'valid';
  } catch (error) {
    if (!(error instanceof EvidenceError)) throw error;
    return `${error.code}/${String(error.context.reason ?? '')}`;
  }
}

describe('committed evidence across a restart, on LevelDB', () => {
  it('a long-running node and a restarted one refuse evidence re-included 1 000+ blocks later', async () => {
    const dir = tempDir('evidence-restart');
    cleanups.push(dir.remove);
    const app = KvApp.empty();
    const signer = new MemorySignerStore();
    const running = await startNode(dir.path, app, signer);
    await until('height 3', () => running.store.height() >= 3);
    const evidence = equivocation();
    const tip = running.store.height();
    await running.pool.add(evidence, { height: tip, time: (await running.store.loadBlockTime(tip)) ?? 0 });
    let committedAt = 0;
    await until('the evidence committed', async () => {
      committedAt = (await running.store.loadCommittedEvidence(evidence)) ?? 0;
      return committedAt > 0;
    });
    expect(
      (await running.store.loadBlock(committedAt))?.evidence,
      'the block that committed it carries it',
    ).toEqual([evidence]);
    await until('1 050 blocks later', () => running.store.height() >= committedAt + 1_050);
    await running.driver.stop();
    const longRunning = await verdict(running, evidence);
    expect(longRunning, 'the long-running node refuses it').toBe('EVIDENCE_DUPLICATE/committed');
    await running.stop();

    const restarted = await startNode(dir.path, app, signer);
    await restarted.driver.stop();
    expect(restarted.store.height(), 'the restarted node is at the same height').toBeGreaterThanOrEqual(
      committedAt + 1_050,
    );
    expect(await verdict(restarted, evidence), 'the restarted node: the same verdict').toBe(longRunning);
  });
});
