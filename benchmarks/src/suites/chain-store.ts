import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Block,
  blockId,
  type ChainState,
  type ConsensusParams,
  type DuplicateVoteEvidence,
  defaultConsensusParams,
  EvidencePool,
  equalBytes,
  generateKeyPair,
  makeValidator,
  makeValidatorSet,
  signVote,
  VoteType,
  validatorSetHash,
} from '@joule/consensus';
import { makeBlock, makeDuplicateVoteEvidence } from '@joule/consensus/internal';
import { ClassicKvStore, LevelChainStore, PendingWrites } from '@joule/state';
import type { Row } from '../report.js';

/**
 * The chain store's commit step on LevelDB, staged as in a node (`saveBlock` into the
 * application's batch, then one unsynced write): µs per empty block while the evidence window's
 * base stands still (the default 100 000 blocks / 48 h) and while it moves every block (a 500-block
 * window: the base's time read, the trimmed block time, the meta entry); and one piece of
 * evidence checked in a proposed block (committed-misbehaviour index, block time and evidence
 * validators from the store, two signatures).
 */
export async function chainStoreRows(timeMs: number): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [label, params] of [
    ['window base still', defaultConsensusParams],
    [
      'window base moving every block',
      { ...defaultConsensusParams, evidenceMaxAgeBlocks: 500, evidenceMaxAgeMs: 1 },
    ],
  ] as const) {
    await withChainStore(params, async (bench) => {
      await bench.saveBlocks(1_000);
      const s = await bench.sampleSaves(timeMs);
      rows.push({
        name: `chain store: saveBlock of an empty block, staged (${label})`,
        'µs/block': s.us,
        samples: s.n,
      });
      if (params === defaultConsensusParams) {
        const e = await bench.sampleEvidenceChecks(timeMs);
        rows.push({
          name: 'chain store: one piece of evidence checked in a block',
          'µs/piece': e.us,
          samples: e.n,
        });
      }
    });
  }
  return rows;
}

const chainId = 'bench-chain';
const t0 = 1_764_000_000_000;
const keys = [1, 2, 3, 4].map((i) => generateKeyPair(new Uint8Array(32).fill(i)));
const set = makeValidatorSet(keys.map((k) => makeValidator(k.publicKey, 10n)));

class ChainStoreBench {
  private last: Block | null = null;

  constructor(
    private readonly kv: ClassicKvStore,
    private readonly store: LevelChainStore,
    private readonly pending: PendingWrites,
    private readonly params: ConsensusParams,
  ) {}

  /** Saves `count` more blocks; returns the µs `saveBlock` took in all. */
  async saveBlocks(count: number): Promise<number> {
    let us = 0;
    for (let i = 0; i < count; i++) {
      const height = (this.last?.header.height ?? 0) + 1;
      const block = nextBlock(height, this.last);
      const t = performance.now();
      await this.store.saveBlock(
        block,
        { height, round: 0, blockId: blockId(block), signatures: [] },
        this.stateAfter(block),
      );
      us += (performance.now() - t) * 1000;
      await this.kv.write(this.pending.take(), { sync: false });
      this.pending.flushedAll();
      this.last = block;
    }
    return us;
  }

  async sampleSaves(timeMs: number): Promise<{ us: number; n: number }> {
    let us = 0;
    let n = 0;
    const deadline = performance.now() + Math.max(timeMs, 1);
    while (n < 500 || (performance.now() < deadline && n < 20_000)) {
      us += await this.saveBlocks(100);
      n += 100;
    }
    return { us: Math.round(us / n), n };
  }

  async sampleEvidenceChecks(timeMs: number): Promise<{ us: number; n: number }> {
    const tip = this.last?.header ?? { height: 0, time: t0 };
    const now = { height: tip.height, time: tip.time };
    const pool = new EvidencePool({}, { chainId, chain: this.store });
    const pieces = Array.from({ length: 100 }, (_, i) => equivocation(now.height - 200 + i));
    let us = 0;
    let n = 0;
    const deadline = performance.now() + Math.max(timeMs, 1);
    while (n < 200 || (performance.now() < deadline && n < 20_000)) {
      for (const piece of pieces) {
        const t = performance.now();
        await pool.checkBlockEvidence([piece], now);
        us += (performance.now() - t) * 1000;
        n++;
      }
    }
    return { us: Math.round(us / n), n };
  }

  private stateAfter(block: Block): ChainState {
    return {
      chainId,
      initialHeight: 1,
      lastBlockHeight: block.header.height,
      lastBlockId: blockId(block),
      lastBlockTime: block.header.time,
      validators: set,
      nextValidators: set,
      lastValidators: set,
      consensusParams: this.params,
      appHash: new Uint8Array(32),
      lastResultsHash: new Uint8Array(32),
      appVersion: 'bench',
    };
  }
}

async function withChainStore(
  params: ConsensusParams,
  run: (bench: ChainStoreBench) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'joule-bench-chain-'));
  const kv = new ClassicKvStore({ location: dir });
  await kv.start();
  try {
    const pending = new PendingWrites();
    const store = new LevelChainStore({}, { kv, pending });
    await store.start();
    await run(new ChainStoreBench(kv, store, pending, params));
  } finally {
    await kv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function nextBlock(height: number, previous: Block | null): Block {
  const hash = validatorSetHash(set);
  const last = previous === null ? null : blockId(previous);
  return makeBlock(
    {
      chainId,
      height,
      time: t0 + height * 1_000,
      lastBlockId: last,
      validatorsHash: hash,
      nextValidatorsHash: hash,
      appHash: new Uint8Array(32),
      lastResultsHash: new Uint8Array(32),
      proposerAddress: set.validators[0]?.address ?? new Uint8Array(20),
    },
    [],
    [],
    last === null ? null : { height: height - 1, round: 0, blockId: last, signatures: [] },
  );
}

/** Validator `keys[0]` signs two prevotes for `height`. */
function equivocation(height: number): DuplicateVoteEvidence {
  const key = keys[0] as (typeof keys)[0];
  const index = set.validators.findIndex((v) => equalBytes(v.pubKey, key.publicKey));
  const vote = (id: { hash: Uint8Array } | null) =>
    signVote(
      chainId,
      {
        type: VoteType.Prevote,
        height,
        round: 0,
        blockId: id,
        timestamp: t0 + height * 1_000 + 1,
        validatorAddress: set.validators[index]?.address ?? new Uint8Array(20),
        validatorIndex: index,
      },
      key.secretKey,
    );
  return makeDuplicateVoteEvidence(vote(null), vote({ hash: new Uint8Array(32).fill(1) }));
}
