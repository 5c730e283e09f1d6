import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { addressOf, DoubleSignGuard, FileSignerStore, ReplayMismatchError, VoteType } from '@joule/consensus';
import { ClassicKvStore, coreModules, LevelChainStore, PendingWrites } from '@joule/state';
import { afterAll, describe, expect, it } from 'vitest';
import { loadHome } from '../home/home.js';
import { initHome } from '../home/init.js';
import { standaloneNetwork } from '../network/network.js';
import { createNode, type JouleNode } from './node.js';

/**
 * A node whose consensus halts stops itself and says why. Here the signer state holds a precommit
 * of the height the node resumes at that its WAL never saw (a WAL lost after the vote was signed):
 * the WAL replay cannot rebuild the lock that vote was signed under, so the node refuses to start.
 */
describe('a node whose consensus halts', () => {
  let dir = '';
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stops with CONSENSUS_REPLAY_MISMATCH when its WAL does not hold the vote its signer state signed', async () => {
    dir = await mkdtemp(join(tmpdir(), 'joule-halt-'));
    const home = join(dir, 'home');
    await initHome({
      home,
      chainId: 'halt-1',
      moniker: 'halt',
      addressPrefix: 'joule',
      denom: 'ujoule',
      operatorKey: 'operator',
    });
    const lines: string[] = [];
    const sink = new Writable({
      write: (chunk, _encoding, done) => {
        lines.push(String(chunk));
        done();
      },
    });
    const core = coreModules({ addressPrefix: 'joule' });
    const make = (): Promise<JouleNode> =>
      createNode(
        {
          home,
          config: { api: { enabled: false }, consensus: { timeout_commit_ms: 50 }, log: { format: 'json' } },
          logDestination: sink,
        },
        {
          app: { addressPrefix: 'joule', accounts: core.accounts },
          modules: core.modules,
          network: standaloneNetwork,
        },
      );

    const first = await make();
    await first.start();
    for (let i = 0; i < 200 && first.height() < 1; i++) await new Promise((r) => setTimeout(r, 25));
    expect(first.height(), 'the chain made blocks').toBeGreaterThanOrEqual(1);
    await first.stop();

    // The height the node resumes at, from its block store.
    const { paths, validatorKey, genesis } = await loadHome(home);
    const kv = new ClassicKvStore({ location: paths.db });
    await kv.start();
    const store = new LevelChainStore({}, { kv, pending: new PendingWrites() });
    await store.start();
    const resumeAt = ((await store.loadState())?.lastBlockHeight ?? 0) + 1;
    await store.stop();
    await kv.stop();
    // A precommit at that height, in a round no WAL record leads to.
    const guard = new DoubleSignGuard(
      { chainId: genesis.chainId },
      { store: new FileSignerStore({ path: paths.signerState }), secretKey: validatorKey.secretKey },
    );
    await guard.signVote({
      type: VoteType.Precommit,
      height: resumeAt,
      round: 7,
      blockId: null,
      timestamp: Date.now(),
      validatorAddress: addressOf(validatorKey.publicKey),
      validatorIndex: 0,
    });

    const second = await make();
    const started = second.start();
    await expect(started, 'the start rejects with the typed halt').rejects.toBeInstanceOf(
      ReplayMismatchError,
    );
    expect(second.halted?.code, 'the node keeps why it halted').toBe('CONSENSUS_REPLAY_MISMATCH');
    expect(second.halted?.context, 'at the height and round of the signed vote').toMatchObject({
      height: resumeAt,
      round: 7,
    });
    await second.stopped();
    expect(second.running, 'the node is stopped').toBe(false);
    const fatal = lines
      .map((line) => JSON.parse(line) as { level: string; code?: string; msg: string })
      .filter((entry) => entry.level === 'fatal');
    expect(
      fatal.map((entry) => entry.code),
      'one fatal log line with the code',
    ).toEqual(['CONSENSUS_REPLAY_MISMATCH']);
  });
});
