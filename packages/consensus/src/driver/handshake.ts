import type { Application } from '../app/application.js';
import { blockId as blockIdOf } from '../block/block.js';
import type { Commit } from '../block/commit.js';
import { misbehaviorOf } from '../chain/apply-block.js';
import type { ChainState } from '../chain/chain-state.js';
import { genesisState } from '../chain/update-state.js';
import { equalBytes } from '../codec/canonical.js';
import { SignStep } from '../signer/signer-store.js';
import type { Wal } from '../wal/wal.js';
import { sendProposal } from './catch-up.js';
import { HandshakeError } from './errors.js';
import { ReplayMismatchError } from './halt.js';
import type { HeightContext } from './height-context.js';
import type { MutableDriverHost } from './host.js';
import { replayRecord } from './inbound.js';
import type { DriverDeps } from './options.js';
import type { Logger, Signer } from './ports.js';
import { decodeWalRecord, type WalRecord } from './wal-records.js';

/** Where the chain stands when the driver starts: the state after the last block, its commit and app hash. */
export interface ChainStart {
  readonly state: ChainState;
  readonly lastCommit: Commit | null;
  readonly lastBlockAppHash: Uint8Array | null;
}

/**
 * Loads or creates the chain state and brings the application level with the block store. The
 * evidence pool needs nothing read back: the chain store keeps the committed misbehaviour (and
 * the sets and times) of the whole evidence window.
 */
export async function startChain(deps: DriverDeps, log: Logger): Promise<ChainStart> {
  const stored = await deps.store.loadState();
  const state = stored ?? (await initChain(deps));
  await handshake(deps, log, state, stored !== null);
  const hasBlocks = state.lastBlockHeight >= state.initialHeight;
  const lastCommit = hasBlocks ? await deps.store.loadCommit(state.lastBlockHeight) : null;
  const lastBlock = hasBlocks ? await deps.store.loadBlock(state.lastBlockHeight) : null;
  return { state, lastCommit, lastBlockAppHash: lastBlock?.header.appHash ?? null };
}

async function initChain(deps: DriverDeps): Promise<ChainState> {
  const g = deps.genesis;
  const response = await callInitChain(deps);
  const validators = response.validators.length > 0 ? response.validators : g.validators;
  const state = genesisState(g, validators, response.appHash);
  await deps.store.saveGenesisState(state);
  return state;
}

/** The application's `initChain` with the genesis this node was given. */
function callInitChain(deps: DriverDeps): ReturnType<Application['initChain']> {
  const g = deps.genesis;
  return deps.app.initChain({
    chainId: g.chainId,
    time: g.genesisTime,
    initialHeight: g.initialHeight,
    validators: g.validators,
    appStateBytes: g.appState,
  });
}

/**
 * Brings the application level with the chain store (CometBFT's handshake): an application with
 * no chain yet gets `initChain` again (the node may have stopped between saving the genesis state
 * and committing block 1), then every committed block it has not applied is replayed into it.
 */
async function handshake(deps: DriverDeps, log: Logger, state: ChainState, hadState: boolean): Promise<void> {
  const info = await deps.app.info();
  const stored = state.lastBlockHeight;
  if (info.lastBlockHeight > stored) {
    throw new HandshakeError(
      'HANDSHAKE_APP_AHEAD',
      `application is at height ${info.lastBlockHeight}, ahead of the block store at ${stored}`,
      { appHeight: info.lastBlockHeight, storeHeight: stored },
    );
  }
  if (hadState && info.lastBlockHeight === 0) {
    const response = await callInitChain(deps);
    if (stored < state.initialHeight && !equalBytes(response.appHash, state.appHash)) {
      throw new HandshakeError(
        'HANDSHAKE_GENESIS_APP_HASH',
        'the application computes another genesis app hash than the stored chain state',
        { appHash: response.appHash, stored: state.appHash },
      );
    }
    log.info({}, 'the application had no chain: initChain again');
  }
  for (let h = Math.max(info.lastBlockHeight + 1, state.initialHeight); h <= stored; h++) {
    const block = await deps.store.loadBlock(h);
    if (block === null)
      throw new HandshakeError(
        'HANDSHAKE_BLOCK_MISSING',
        `block ${h} is missing from the store; cannot replay it into the application`,
        { height: h },
      );
    await deps.app.finalizeBlock({
      block,
      hash: blockIdOf(block).hash,
      misbehavior: await misbehaviorOf(block, deps.store),
    });
    await deps.app.commit();
    log.info({ height: h }, 'replayed block into the application');
  }
  if (stored >= state.initialHeight) {
    const after = await deps.app.info();
    if (!equalBytes(after.lastBlockAppHash, state.appHash)) {
      throw new HandshakeError(
        'HANDSHAKE_APP_HASH_DIVERGED',
        `the application's app hash at height ${stored} differs from the chain's: its state has diverged (restore it from a snapshot or resync)`,
        {
          height: stored,
          appHash: after.lastBlockAppHash,
          chainAppHash: state.appHash,
        },
      );
    }
  }
}

/**
/**
 * Resumes the current height from its WAL: replays it, checks that the engine re-derived the last
 * vote the guard signed, and sends this node's proposal of the round again (its votes were sent
 * as they were re-derived). Throws `ReplayMismatchError` on a WAL that does not re-derive it.
 */
export async function resumeHeight(host: MutableDriverHost): Promise<void> {
  const { ctx, deps } = host;
  host.replaying = true;
  let records: number;
  try {
    records = await replayWal(deps.wal, ctx.height, (record) => replayRecord(host, record));
  } finally {
    host.replaying = false;
  }
  if (records > 0) host.log.info({ height: ctx.height, records }, 'replayed the WAL');
  checkReplayed(ctx, deps.signer);
  const own = ctx.blocks.proposal(ctx.hs.round);
  if (own !== undefined && ctx.hs.isProposer(own.proposal.round)) sendProposal(host, null, own);
}

/**
 * The guard keeps the last vote it signed. If that is at this height, the replay must have
 * re-derived it (the guard handed the same signature back): otherwise the WAL is lost or is not
 * this signer's, and the lock the engine rebuilt is not the one that vote was signed under. A
 * proposal is not checked: a crash between its signature and its fsynced record is allowed (it
 * was never sent), and the guard refuses another proposal at that round.
 */
function checkReplayed(ctx: HeightContext, signer: Signer | null): void {
  const signed = signer?.lastSigned() ?? null;
  if (signed === null || signed.height !== ctx.height || signed.step === SignStep.Propose) return;
  if (!ctx.rederived.has(`${signed.round}/${signed.step}`)) throw new ReplayMismatchError(ctx.height, signed);
}

/**
 * Replays the WAL of `height` record by record through `replay` (the driver's own handlers, so the
 * height's state is rebuilt as it was); a height without records is started in the WAL. Returns
 * the number of records replayed.
 */
export async function replayWal(
  wal: Wal,
  height: number,
  replay: (record: WalRecord) => Promise<void>,
): Promise<number> {
  const records = await wal.replay(height);
  if (records.length === 0) await wal.startHeight(height);
  for (const bytes of records) await replay(decodeWalRecord(bytes));
  return records.length;
}
